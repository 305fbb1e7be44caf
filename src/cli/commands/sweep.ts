// `gradcheck sweep`: the relative error at every ε of the sweep, per input, as a chart and a table.
import { Command } from 'commander';
import { DEFAULT_SEED, DEFAULT_TOLERANCE } from '../../model/defaults.ts';
import { configOverrides, loadConfig, selectWithConfig, withConfig } from '../config.ts';
import { formatHtml } from '../../report/html.ts';
import { writeReportFiles } from '../../report/files.ts';
import { printJson } from '../../report/json.ts';
import { printSweep } from '../../report/sweep.ts';
import { outputWidth } from '../../report/layout.ts';
import { sweepIsolated } from '../../run/scheduler.ts';
import { refuseToOverwrite } from '../select.ts';
import { endWithoutOps, noFilesMessage, noOpsMessage } from '../found.ts';
import { inWorkers, reportInterrupted, whileTrapped } from '../isolated.ts';
import { runExitCode } from '../exit.ts';
import { addFlags, givenOptions, pathsArgument } from '../options.ts';

export interface SweepOptions {
  op?: string[];
  tol?: number;
  eps?: number[];
  seed?: number;
  replayRandom?: boolean;
  json?: boolean;
  html?: string;
  verbose?: boolean;
  timeout?: number;
  maxMemory?: number;
  exclude?: string[];
  passWithNoOps?: boolean;
}

export function sweepCommand(setExitCode: (code: number) => void): Command {
  const command = new Command('sweep')
    .description('the relative error at every step ε, per input: a log–log chart of the U-curve, a table and the step to use')
    .addArgument(pathsArgument());
  return addFlags(command, ['op', 'tol', 'eps', 'seed', 'replayRandom', 'json', 'html', 'verbose', 'exclude', 'passWithNoOps', 'timeout', 'maxMemory'])
    .action(async (paths: string[], _options: unknown, self: Command) => setExitCode(await runSweep(paths, givenOptions<SweepOptions>(self))));
}

export async function runSweep(paths: string[], flags: SweepOptions): Promise<number> {
  return whileTrapped(async (stop) => {
    const loaded = await loadConfig(process.cwd(), { timeoutMs: flags.timeout, memoryMb: flags.maxMemory, signal: stop.signal });
    const options = withConfig(flags, loaded.config);
    const { selection, args } = selectWithConfig(paths, options.exclude, loaded);
    if (selection.files.length === 0) return endWithoutOps({ message: noFilesMessage(selection, args) }, options.passWithNoOps);
    refuseToOverwrite(selection.files.map((file) => file.path), { '--html': options.html });
    // In worker threads, as `run` does: an op that hangs or crashes becomes its error line.
    const { report, interrupted, notRun, names } = await inWorkers(sweepIsolated, selection.files, {
      tolerance: options.tol ?? DEFAULT_TOLERANCE,
      // Without --eps each op sweeps its precision's default steps (float32 ops stop at 1e-4).
      eps: options.eps,
      seed: options.seed ?? DEFAULT_SEED,
      replayRandom: options.replayRandom,
      stepDetail: options.html !== undefined,
      timeoutMs: options.timeout,
      memoryMb: options.maxMemory,
      only: options.op,
      overrides: configOverrides(loaded.config),
      signal: stop.signal,
    });
    const none = stop.received ? undefined : noOpsMessage(report.ops.length, names ?? [], { op: options.op, files: selection.files.length });
    if (none) return endWithoutOps(none, options.passWithNoOps);
    const printOptions = { verbose: options.verbose, width: outputWidth(process.stdout) };
    if (options.json) printJson(report, process.stdout, printOptions);
    else printSweep(report, process.stdout, printOptions);
    if (interrupted) reportInterrupted({ notRun }, stop.received);
    if (options.html) writeReportFiles([{ path: options.html, text: () => formatHtml(report, { title: 'gradcheck sweep' }), what: 'the HTML report' }]);
    return runExitCode(report, stop.received);
  });
}
