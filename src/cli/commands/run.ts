// `gradcheck run`: check op files and print the results.
import { runIsolated } from '../../run/scheduler.ts';
import type { CheckOptions, RunReport } from '../../check/types.ts';
import { DEFAULT_SEED, DEFAULT_TOLERANCE } from '../../check/types.ts';
import { loadConfig, withConfig } from '../config.ts';
import { emitRunReport } from '../../report/emit.ts';
import type { OutputOptions } from '../../report/emit.ts';
import { resolveFiles, UsageError } from '../select.ts';
import { displayPath } from '../../run/results.ts';
import { watchOpFiles } from '../watch.ts';
import { EXIT_INTERRUPTED, inWorkers, interruptedExit } from '../isolated.ts';

export interface RunOptions extends OutputOptions {
  tol?: number;
  eps?: number[];
  seed?: number;
  method?: CheckOptions['method'];
  order?: CheckOptions['order'];
  mode?: CheckOptions['mode'];
  /** Only the op with this name. */
  op?: string;
  json?: boolean;
  verbose?: boolean;
  timeout?: number;
  maxMemory?: number;
  /** Re-run the affected op files whenever one is saved, until Ctrl-C. */
  watch?: boolean;
}


export async function runCommand(paths: string[], options: RunOptions): Promise<number> {
  const { config } = await loadConfig();
  options = withConfig(options, config);
  let files: string[];
  try {
    files = resolveFiles(paths.length > 0 ? paths : (config.files ?? []));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`gradcheck: ${error.message}\n(run gradcheck --help for usage)\n`);
      return 2;
    }
    throw error;
  }
  if (options.watch) {
    const watcher = watchOpFiles({
      resolveFiles: () => resolveFiles(paths.length > 0 ? paths : (config.files ?? [])),
      run: (subset, changed) => {
        if (changed.length > 0) {
          if (process.stdout.isTTY) process.stdout.write('\x1b[2J\x1b[3J\x1b[H'); // clear the screen and its scrollback
          process.stdout.write(`gradcheck: ${changed.map(displayPath).join(', ')} changed; checking ${subset.length === 1 ? displayPath(subset[0]) : `${subset.length} files`}\n\n`);
        }
        return checkAndReport(subset, options);
      },
      stopOn: (code) => code === EXIT_INTERRUPTED,
    });
    return watcher.done;
  }
  return checkAndReport(files, options);
}

/** One run: check the files, print the report, and return the exit code. */
async function checkAndReport(files: string[], options: RunOptions): Promise<number> {
  const { report, interrupted } = await inWorkers(runIsolated, files, {
    tolerance: options.tol ?? DEFAULT_TOLERANCE,
    eps: options.eps,
    seed: options.seed ?? DEFAULT_SEED,
    method: options.method,
    order: options.order,
    mode: options.mode,
    timeoutMs: options.timeout,
    memoryMb: options.maxMemory,
    only: options.op,
  });
  emitRunReport(report, options);
  return interrupted ? interruptedExit(report, files) : exitCode(report);
}

export function exitCode(report: RunReport): number {
  if (report.ops.some((op) => op.status === 'error')) return 2;
  if (report.ops.some((op) => op.status === 'fail')) return 1;
  return 0;
}
