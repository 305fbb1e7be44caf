// `gradcheck sweep`: the relative error at every ε of the sweep, per input, as a chart and a table.
import { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { DEFAULT_SEED, DEFAULT_TOLERANCE } from '../../check/types.ts';
import { loadConfig, withConfig } from '../config.ts';
import { formatHtml } from '../../report/html.ts';
import { printJson } from '../../report/json.ts';
import { printSweep } from '../../report/sweep.ts';
import { sweepIsolated } from '../../run/scheduler.ts';
import { parseEpsList, parseMemory, parsePositiveNumber, parseSeed, parseTimeout } from '../main.ts';
import { resolveFiles, UsageError } from '../select.ts';
import { inWorkers, interruptedExit } from '../isolated.ts';

export interface SweepOptions {
  op?: string;
  tol?: number;
  eps?: number[];
  seed?: number;
  json?: boolean;
  html?: string;
  verbose?: boolean;
  timeout?: number;
  maxMemory?: number;
}

export function sweepCommand(setExitCode: (code: number) => void): Command {
  return new Command('sweep')
    .description('the relative error at every step ε, per input: a log–log chart of the U-curve, a table and the step to use')
    .argument('[paths...]', 'op files, directories or globs (default: files from gradcheck.config.ts)')
    .option('--op <name>', 'only the op with this name')
    .option('--tol <number>', 'largest relative error that passes (default 1e-7)', parsePositiveNumber)
    .option('--eps <list>', 'comma-separated steps to sweep (default 1e-1,...,1e-12)', parseEpsList)
    .option('--seed <n>', 'seed for inputs and cotangents (default 0)', parseSeed)
    .option('--json', 'print one JSON document on stdout instead of charts')
    .option('--html <file>', 'also write a self-contained HTML report')
    .option('--verbose', 'show stack traces of errors')
    .option('--timeout <ms>', 'stop an op (or a file\'s import) that runs longer, and report it as an error; 0: no limit', parseTimeout, 30_000)
    .option('--max-memory <mb>', 'JavaScript heap limit of the worker running the ops', parseMemory, 4096)
    .action(async (paths: string[], options: SweepOptions) => setExitCode(await runSweep(paths, options)));
}

export async function runSweep(paths: string[], options: SweepOptions): Promise<number> {
  const { config } = await loadConfig();
  const files = paths.length > 0 ? paths : config.files;
  if (!files || files.length === 0) throw new UsageError('no op files given (name some, or list them as `files` in gradcheck.config.ts)');
  const merged = withConfig(options, config);
  // Without --eps each op sweeps its precision's default steps (float32 ops stop at 1e-4).
  const check = { tolerance: merged.tol ?? DEFAULT_TOLERANCE, eps: merged.eps, seed: merged.seed ?? DEFAULT_SEED };
  const resolved = resolveFiles(files);
  // In worker threads, as `run` does: an op that hangs or crashes becomes its error line.
  const { report, interrupted } = await inWorkers(sweepIsolated, resolved, {
    ...check,
    timeoutMs: options.timeout,
    memoryMb: options.maxMemory,
    only: options.op,
  });
  const ops = report.ops;
  if (options.json) printJson(report, process.stdout, { verbose: options.verbose });
  else printSweep(report, process.stdout, { verbose: options.verbose });
  if (options.html) writeFileSync(options.html, formatHtml(report, { title: 'gradcheck sweep' }));
  if (interrupted) return interruptedExit(report, resolved);
  if (ops.some((op) => op.status === 'error')) return 2;
  return ops.some((op) => op.status === 'fail') ? 1 : 0;
}
