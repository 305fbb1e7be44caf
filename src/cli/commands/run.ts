// `gradcheck run`: check op files and print the results.
import { Command } from 'commander';
import { runIsolated } from '../../run/scheduler.ts';
import type { CheckOptions } from '../../model/options.ts';
import { DEFAULT_EXPLORE_POINTS, DEFAULT_SEED, DEFAULT_TOLERANCE } from '../../model/defaults.ts';
import { loadConfig, pathsOrConfig, withConfig } from '../config.ts';
import { emitRunReport } from '../../report/emit.ts';
import type { OutputOptions } from '../../report/emit.ts';
import { refuseToOverwrite, resolveFiles } from '../select.ts';
import { displayPath } from '../../model/build.ts';
import { terminalLine } from '../../report/safe-text.ts';
import { watchOpFiles } from '../watch.ts';
import { inWorkers, reportInterrupted, whileTrapped } from '../isolated.ts';
import type { StopSignals } from '../isolated.ts';
import { isSignalExit, runExitCode } from '../exit.ts';
import { addFlags, pathsArgument } from '../options.ts';

export interface RunOptions extends OutputOptions {
  tol?: number;
  eps?: number[];
  seed?: number;
  method?: CheckOptions['method'];
  order?: CheckOptions['order'];
  mode?: CheckOptions['mode'];
  replayRandom?: boolean;
  nondetTol?: number;
  ad?: CheckOptions['ad'];
  /** --explore, or --explore <points>. */
  explore?: number | true;
  /** Only the op with this name. */
  op?: string;
  json?: boolean;
  verbose?: boolean;
  timeout?: number;
  maxMemory?: number;
  /** Re-run the affected op files whenever one is saved, until Ctrl-C. */
  watch?: boolean;
}

export function runCommand(setExitCode: (code: number) => void): Command {
  const command = new Command('run')
    .description('check every defineOp export of the given op files (directories: every .ts/.js file under them)')
    .addArgument(pathsArgument({ fromConfig: true }));
  return addFlags(command, ['tol', 'eps', 'seed', 'method', 'order', 'mode', 'ad', 'explore', 'nondetTol', 'replayRandom', 'json', 'verbose', 'watch', 'op', 'reporter', 'junit', 'html', 'timeout', 'maxMemory'])
    .action(async (paths: string[], options: RunOptions) => setExitCode(await runCheck(paths, options)));
}

export async function runCheck(paths: string[], flags: RunOptions): Promise<number> {
  if (!flags.watch) {
    return whileTrapped(async (stop) => {
      const { options, args } = await settings(paths, flags, stop);
      const files = resolveFiles(args);
      refuseToOverwrite(files, { '--junit': options.junit, '--html': options.html });
      return checkAndReport(files, options, stop);
    });
  }
  const { options, args } = await whileTrapped((stop) => settings(paths, flags, stop));
  refuseToOverwrite(resolveFiles(args), { '--junit': options.junit, '--html': options.html });
  // Between runs no signal is trapped: Ctrl-C ends the watch as it ends any program.
  const watcher = watchOpFiles({
    resolveFiles: () => resolveFiles(args),
    run: (subset, changed) =>
      whileTrapped((stop) => {
        if (changed.length > 0) {
          if (process.stdout.isTTY) process.stdout.write('\x1b[2J\x1b[3J\x1b[H'); // clear the screen and its scrollback
          process.stdout.write(`gradcheck: ${terminalLine(changed.map(displayPath).join(', '))} changed; checking ${subset.length === 1 ? terminalLine(displayPath(subset[0])) : `${subset.length} files`}\n\n`);
        }
        return checkAndReport(subset, options, stop);
      }),
    stopOn: isSignalExit,
  });
  return watcher.done;
}

/** The flags merged over gradcheck.config.ts (loaded in a worker, stopped by a signal), and the op-file arguments. */
async function settings(paths: string[], flags: RunOptions, stop: StopSignals): Promise<{ options: RunOptions; args: string[] }> {
  const { config } = await loadConfig(process.cwd(), { timeoutMs: flags.timeout, memoryMb: flags.maxMemory, signal: stop.signal });
  return { options: withConfig(flags, config), args: pathsOrConfig(paths, config) };
}

/** One run: check the files, print the report, and return the exit code. */
async function checkAndReport(files: string[], options: RunOptions, stop: StopSignals): Promise<number> {
  const { report, interrupted, notRun } = await inWorkers(runIsolated, files, {
    tolerance: options.tol ?? DEFAULT_TOLERANCE,
    eps: options.eps,
    seed: options.seed ?? DEFAULT_SEED,
    method: options.method,
    order: options.order,
    mode: options.mode,
    ad: options.ad,
    nondetTolerance: options.nondetTol,
    replayRandom: options.replayRandom,
    timeoutMs: options.timeout,
    memoryMb: options.maxMemory,
    only: options.op,
    ...(options.explore !== undefined ? { explore: options.explore === true ? DEFAULT_EXPLORE_POINTS : options.explore } : {}),
    signal: stop.signal,
  });
  try {
    emitRunReport(report, options);
  } finally {
    if (interrupted) reportInterrupted({ notRun }, stop.received);
  }
  return runExitCode(report, stop.received);
}
