// `gradcheck run`: check op files and print the results, each file's as soon as it is done.
import { Command } from 'commander';
import { realpathSync } from 'node:fs';
import { runIsolated } from '../../run/scheduler.ts';
import type { RunFile } from '../../run/scheduler.ts';
import type { OpOverrideList } from '../../run/plan.ts';
import type { OpReport } from '../../model/report.ts';
import type { Shard } from '../../model/selection.ts';
import { DEFAULT_SEED, DEFAULT_TOLERANCE } from '../../model/defaults.ts';
import { displayPath, summarize } from '../../model/build.ts';
import { createRunOutput } from '../../report/emit.ts';
import type { ReporterChoice } from '../../report/emit.ts';
import { outputWidth } from '../../report/layout.ts';
import { terminalLine } from '../../report/safe-text.ts';
import { bailAfter, configOverrides, configThreads, explorePoints, loadConfig, selectWithConfig, withConfig } from '../config.ts';
import type { ConfigurableFlags } from '../config.ts';
import { reportFiles, reporterChoices } from '../reporting.ts';
import type { ReportingFlags } from '../reporting.ts';
import { refuseToOverwrite } from '../select.ts';
import { affectedFiles, changedSince } from '../changed.ts';
import { endWithoutOps, noFilesMessage, noOpsMessage } from '../found.ts';
import { watchOpFiles } from '../watch.ts';
import { inWorkers, reportBailed, reportInterrupted, whileTrapped } from '../isolated.ts';
import type { StopSignals } from '../isolated.ts';
import { isSignalExit, runExitCode } from '../exit.ts';
import { addFlags, givenOptions, pathsArgument } from '../options.ts';

export interface RunOptions extends ConfigurableFlags, ReportingFlags {
  /** Only the ops with these names or matching these patterns (`--op`, `-t`). */
  op?: string[];
  verbose?: boolean;
  /** Globs of files to leave out. */
  exclude?: string[];
  shard?: Shard;
  /** Only the op files changed since this git ref (true: HEAD), or importing a changed file. */
  changed?: string | true;
  /** Re-run the affected op files whenever one is saved, until Ctrl-C. */
  watch?: boolean;
}

const FLAGS = ['tol', 'eps', 'seed', 'method', 'order', 'mode', 'ad', 'explore', 'nondetTol', 'replayRandom', 'json', 'verbose', 'watch', 'op', 'exclude', 'changed', 'shard', 'bail', 'passWithNoOps', 'reporter', 'outputFile', 'junit', 'html', 'timeout', 'maxMemory'] as const;

export function runCommand(setExitCode: (code: number) => void): Command {
  const command = new Command('run')
    .description('check every defineOp export of the given op files (directories: every .ts/.js file under them)')
    .addArgument(pathsArgument());
  return addFlags(command, FLAGS).action(async (paths: string[], _options: unknown, self: Command) => setExitCode(await runCheck(paths, givenOptions<RunOptions>(self))));
}

/** What a run knows before its first file: its settings, its files, and where its reports go. */
interface RunPlan {
  options: RunOptions;
  files: RunFile[];
  choices: ReporterChoice[];
  overrides?: OpOverrideList;
  threads?: number;
  /** The files again, for --watch: a folder may gain a file. */
  reselect: () => RunFile[];
  /** Why the run has no file, when that is no failure (nothing changed since the ref). */
  none?: { message: string; fine?: true };
}

export async function runCheck(paths: string[], flags: RunOptions): Promise<number> {
  if (!flags.watch) {
    return whileTrapped(async (stop) => {
      const plan = await planRun(paths, flags, stop);
      return checkAndReport(plan, stop);
    });
  }
  const plan = await whileTrapped((stop) => planRun(paths, flags, stop));
  // Between runs no signal is trapped: Ctrl-C ends the watch as it ends any program.
  const watcher = watchOpFiles({
    resolveFiles: plan.reselect,
    run: (subset, changed) =>
      whileTrapped((stop) => {
        if (changed.length > 0) {
          if (process.stdout.isTTY) process.stdout.write('\x1b[2J\x1b[3J\x1b[H'); // clear the screen and its scrollback
          process.stdout.write(`gradcheck: ${terminalLine(changed.map(displayPath).join(', '))} changed; checking ${subset.length === 1 ? terminalLine(displayPath(subset[0].path)) : `${subset.length} files`}\n\n`);
        }
        return checkAndReport({ ...plan, files: subset }, stop);
      }),
    stopOn: isSignalExit,
  });
  return watcher.done;
}

/** The flags merged over gradcheck.config.ts (loaded in a worker, stopped by a signal), the files they select, and the reporters. */
async function planRun(paths: string[], flags: RunOptions, stop: StopSignals): Promise<RunPlan> {
  const loaded = await loadConfig(process.cwd(), { timeoutMs: flags.timeout, memoryMb: flags.maxMemory, signal: stop.signal });
  const options = withConfig(flags, loaded.config);
  const choices = reporterChoices(options, loaded);
  const { selection, args } = selectWithConfig(paths, options.exclude, loaded);
  const reselect = () => selectWithConfig(paths, options.exclude, loaded).selection.files;
  const plan: RunPlan = { options, files: selection.files, choices, overrides: configOverrides(loaded.config), threads: configThreads(loaded.config), reselect };
  if (selection.files.length === 0) return { ...plan, none: { message: noFilesMessage(selection, args) } };
  refuseToOverwrite(selection.files.map((file) => file.path), reportFiles(choices));
  if (options.changed === undefined) return plan;
  const ref = options.changed === true ? 'HEAD' : options.changed;
  const real = (path: string) => {
    try {
      return realpathSync(path);
    } catch {
      return path;
    }
  };
  const changed = new Set([...changedSince(ref)].map(real));
  const affected = affectedFiles(selection.files.map((file) => real(file.path)), changed);
  const files = selection.files.filter((file) => affected.has(real(file.path)));
  return { ...plan, files, ...(files.length === 0 ? { none: { message: `no op file changed since ${ref}, nor any module one imports`, fine: true as const } } : {}) };
}

/** One run: check the files, print each file's report as it is done and the summary at the end, and return the exit code. */
async function checkAndReport(plan: RunPlan, stop: StopSignals): Promise<number> {
  const { options } = plan;
  const output = createRunOutput(plan.choices, { verbose: options.verbose, width: outputWidth(process.stdout) });
  const checkOptions = {
    tolerance: options.tol ?? DEFAULT_TOLERANCE,
    eps: options.eps,
    seed: options.seed ?? DEFAULT_SEED,
    method: options.method,
    order: options.order,
    mode: options.mode,
    ad: options.ad,
    nondetTolerance: options.nondetTol,
    replayRandom: options.replayRandom,
    ...(plan.threads !== undefined ? { threads: plan.threads } : {}),
    ...(options.explore !== undefined ? { explore: explorePoints(options.explore) } : {}),
  };
  if (plan.none) {
    if (plan.none.fine || options.passWithNoOps) output.end(summarize([] as OpReport[], checkOptions));
    return endWithoutOps(plan.none, options.passWithNoOps);
  }
  const bail = bailAfter(options.bail);
  const run = await inWorkers(runIsolated, plan.files, {
    ...checkOptions,
    timeoutMs: options.timeout,
    memoryMb: options.maxMemory,
    only: options.op,
    shard: options.shard,
    overrides: plan.overrides,
    bail,
    signal: stop.signal,
    onFile: ({ file, reports, defined }) => {
      output.onFile(reports as OpReport[]);
      if (options.verbose && defined === 0 && reports.length === 0) process.stderr.write(`gradcheck: note: ${terminalLine(file)} defines no op (found in a folder or by a glob: a helper module, not an op file)\n`);
    },
  });
  const { report, interrupted, bailed, notRun } = run;
  const none = stop.received ? undefined : noOpsMessage(report.ops.length, run.names ?? [], { op: options.op, shard: options.shard, files: plan.files.length });
  if (none && !none.fine && !options.passWithNoOps) return endWithoutOps(none, false);
  try {
    output.end(report);
  } finally {
    if (interrupted) reportInterrupted({ notRun }, stop.received);
    if (bailed && bail !== undefined) reportBailed({ notRun }, bail);
  }
  return none ? endWithoutOps(none, options.passWithNoOps) : runExitCode(report, stop.received);
}
