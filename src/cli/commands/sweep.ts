// `gradcheck sweep`: the relative error at every ε of the sweep, per input, as a chart and a table.
import { Command } from 'commander';
import { DEFAULT_SEED, DEFAULT_TOLERANCE } from '../../model/defaults.ts';
import { loadConfig, pathsOrConfig, withConfig } from '../config.ts';
import { formatHtml } from '../../report/html.ts';
import { writeReportFiles } from '../../report/files.ts';
import { printJson } from '../../report/json.ts';
import { printSweep } from '../../report/sweep.ts';
import { sweepIsolated } from '../../run/scheduler.ts';
import { refuseToOverwrite, resolveFiles } from '../select.ts';
import { inWorkers, reportInterrupted, whileTrapped } from '../isolated.ts';
import { runExitCode } from '../exit.ts';
import { addFlags, pathsArgument } from '../options.ts';

export interface SweepOptions {
  op?: string;
  tol?: number;
  eps?: number[];
  seed?: number;
  replayRandom?: boolean;
  json?: boolean;
  html?: string;
  verbose?: boolean;
  timeout?: number;
  maxMemory?: number;
}

export function sweepCommand(setExitCode: (code: number) => void): Command {
  const command = new Command('sweep')
    .description('the relative error at every step ε, per input: a log–log chart of the U-curve, a table and the step to use')
    .addArgument(pathsArgument({ fromConfig: true }));
  return addFlags(command, ['op', 'tol', 'eps', 'seed', 'replayRandom', 'json', 'html', 'verbose', 'timeout', 'maxMemory'])
    .action(async (paths: string[], options: SweepOptions) => setExitCode(await runSweep(paths, options)));
}

export async function runSweep(paths: string[], flags: SweepOptions): Promise<number> {
  return whileTrapped(async (stop) => {
    const { config } = await loadConfig(process.cwd(), { timeoutMs: flags.timeout, memoryMb: flags.maxMemory, signal: stop.signal });
    const files = resolveFiles(pathsOrConfig(paths, config));
    refuseToOverwrite(files, { '--html': flags.html });
    const options = withConfig(flags, config);
    // In worker threads, as `run` does: an op that hangs or crashes becomes its error line.
    const { report, interrupted, notRun } = await inWorkers(sweepIsolated, files, {
      tolerance: options.tol ?? DEFAULT_TOLERANCE,
      // Without --eps each op sweeps its precision's default steps (float32 ops stop at 1e-4).
      eps: options.eps,
      seed: options.seed ?? DEFAULT_SEED,
      replayRandom: options.replayRandom,
      stepDetail: options.html !== undefined,
      timeoutMs: options.timeout,
      memoryMb: options.maxMemory,
      only: options.op,
      signal: stop.signal,
    });
    if (options.json) printJson(report, process.stdout, { verbose: options.verbose });
    else printSweep(report, process.stdout, { verbose: options.verbose });
    if (interrupted) reportInterrupted({ notRun }, stop.received);
    if (options.html) writeReportFiles([{ path: options.html, text: () => formatHtml(report, { title: 'gradcheck sweep' }), what: 'the HTML report' }]);
    return runExitCode(report, stop.received);
  });
}
