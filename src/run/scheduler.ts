// The main thread of the isolated run behind `gradcheck run`, `sweep` and `list` (and the import of
// gradcheck.config.ts): op files run in worker threads, so an op that hangs, crashes or exhausts
// memory becomes that op's error report while the rest of the run goes on.
//
// One worker per core at most (two at most), each reused file after file: spawning a worker means
// setting up TypeScript again, which costs about as much CPU as the CLI's own start-up. A worker
// whose file changed its globals or left callbacks behind asks to be retired (worker-side.ts), and
// the next file gets a fresh one. The worker announces each op before checking it (protocol.ts);
// the main thread times the op, terminates the worker when it overruns, reports the op as an error
// and starts a fresh worker for the file's remaining ops. Reports are kept per file and returned in
// command-line order, whatever finished first; what op files print reaches stderr, never stdout.
import { availableParallelism } from 'node:os';
import type { OpSweep, SweepReport } from '../model/report.ts';
import type { CheckOptions, CheckProgress } from '../model/options.ts';
import type { OpReport, RunReport } from '../model/report.ts';
import type { ConfigResult } from '../load/config-file.ts';
import type { GradcheckConfig } from '../load/config.ts';
import type { CheckTask, Job, JobReport, OpHeader, WorkerMessage, WorkerOutput } from './protocol.ts';
import { displayPath, fileErrorReport, fileNotRunReport, notRunReport, opErrorReport, summarize } from '../model/build.ts';
import { inJobShape } from './results.ts';
import type { Shard } from '../model/selection.ts';
import type { OpOverrideList } from './plan.ts';
import { DEFAULT_MEMORY_MB, returnWorker, takeWorker } from './start-worker.js';
import { outputLine, terminalLine } from '../report/safe-text.ts';
import { stopLeftovers } from './children.ts';
import { chalk } from '../report/color.ts';
import type { RunWorker } from './start-worker.js';

// A ListedFile holds OpHeaders: the callers of listIsolated take both types from here.
export type { OpHeader, WorkerOutput };

/** An op (or a file's import) that runs longer than this is stopped and reported as an error. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** The JavaScript heap each worker may use before its op is stopped and reported as out of memory. */
export { DEFAULT_MEMORY_MB };
const MAX_WORKERS = 2;
/**
 * A second worker costs about as much CPU as the CLI's own start-up (TypeScript support and
 * gradcheck's modules, again); measured on the bundled examples it made short runs slower. So it
 * starts only when the run is still going after this long with files left to check.
 */
const EXTRA_WORKER_AFTER_MS = 1000;

export interface IsolatedRunOptions extends CheckOptions {
  /** Milliseconds an op (or a file's import) may run; 0 for no limit. */
  timeoutMs?: number;
  /** Heap limit of each worker, in MB. */
  memoryMb?: number;
  /** Worker threads to run files on (default: one per core, at most 2). */
  workers?: number;
  /** Aborting stops the run promptly; the reports gathered so far are returned. */
  signal?: AbortSignal;
  /** Only the ops whose names match one of these patterns are checked (`--op`); the others are left out of the report. */
  only?: string[];
  /** Only the ops of this shard (`--shard i/n`), by their identity: file relative to the project's root, and name. */
  shard?: Shard;
  /** The config's settings for ops by name or pattern. */
  overrides?: OpOverrideList;
  /**
   * Called with each file's reports as soon as that file and every file before it are done, so
   * output can stream in the order the files were given; a stopped run calls it for the rest at the end.
   */
  onFile?: (file: FileOutcome<JobReport>) => void;
  /** Stop the run after this many ops failed or could not run; the ops not reached are left out. */
  bail?: number;
  /** What op files write to stdout or stderr (default: printOutput, to stderr). */
  onOutput?: (output: WorkerOutput) => void;
  /** What the user should know that is no op's verdict (default: printWarning, to stderr). */
  onWarning?: (message: string) => void;
}

export interface IsolatedRun<Report = RunReport> {
  report: Report;
  /**
   * The run was aborted: the op running then is an error, and those never reached are reported as
   * not run (`notRun` counts them, and the files never imported).
   */
  interrupted: boolean;
  notRun: { ops: number; files: number };
  /** `bail` failures were reached: the ops and files not reached are left out (`notRun` counts them). */
  bailed?: boolean;
  /** Every op the files hold, taken by the run or not: what `--op` could have named. */
  names?: string[];
}

/** An op file as the run takes it: named on the command line, or found in a folder or by a glob. */
export interface RunFile {
  path: string;
  /** Found in a folder or by a glob: a module there that defines no op is a helper, not an error. */
  found?: boolean;
  /** The file as shards name it (relative to the project's root, forward slashes); its display path by default. */
  identity?: string;
}

/** One file's reports, as `onFile` hands them over. */
export interface FileOutcome<R> {
  /** As reports name it. */
  file: string;
  reports: R[];
  /** The file defines no op (a helper found in a folder), or none that the run takes. */
  empty: boolean;
  /** How many ops the file defines (0 when it could not be imported). */
  defined: number;
}

/** One file's outcome: its ops' headers once imported, and the reports of its ops (or of its import). */
interface FileResult {
  file: string;
  headers?: OpHeader[];
  reports: JobReport[];
  /** The config job's answer. */
  config?: GradcheckConfig;
  /** Ops the run never reached (interrupted). */
  notRun: number;
}

/**
 * Op files' output on stderr, each line labelled with the file and op that wrote it; colours kept
 * where gradcheck's own are, and every other control character (a \r that would hide the label, a
 * screen clear) escaped.
 */
export function printOutput(output: WorkerOutput, stream: { write(text: string): unknown } = process.stderr): void {
  const lines = output.text.replace(/\r?\n$/, '').split(/\r?\n/);
  const label = terminalLine(output.label);
  const colours = chalk.level > 0;
  stream.write(`${lines.map((line) => `${label} | ${outputLine(line, { colours })}`).join('\n')}\n`);
}

/** A warning names files and ops, and may quote an op's error: one line. */
export function printWarning(message: string, stream: { write(text: string): unknown } = process.stderr): void {
  stream.write(`gradcheck: warning: ${terminalLine(message)}\n`);
}

/** A file as `list` gives it: the ops it declares, or why it has none. */
export interface ListedFile {
  file: string;
  ops: OpHeader[];
  /** Why the file could not be imported, or holds no op. */
  error?: string;
}

/** Checks every file in worker threads and gathers one run report, files in the order given. */
export async function runIsolated(files: (string | RunFile)[], options: IsolatedRunOptions = {}): Promise<IsolatedRun> {
  const { reports, results: _results, ...outcome } = await runJob('check', files, options);
  return { report: summarize(reports as OpReport[], options), ...outcome };
}

/** Sweeps ε over every op of every file in worker threads, with the same isolation as `runIsolated`. */
export async function sweepIsolated(files: (string | RunFile)[], options: IsolatedRunOptions = {}): Promise<IsolatedRun<SweepReport>> {
  const { reports, results: _results, ...outcome } = await runJob('sweep', files, options);
  return { report: summarize(reports as OpSweep[], options), ...outcome };
}

/** Imports every file in worker threads, with the same isolation, and lists the ops each declares. */
export async function listIsolated(files: (string | RunFile)[], options: IsolatedRunOptions = {}): Promise<IsolatedRun<ListedFile[]>> {
  const { results, interrupted, notRun, names } = await runJob('list', files, options);
  const listed = results.map(({ file, headers, reports }) => ({
    file,
    ops: headers ?? [],
    ...(reports[0]?.error !== undefined ? { error: reports[0].error } : {}),
  }));
  return { report: listed, interrupted, notRun, names };
}

/**
 * Imports gradcheck.config.ts in a worker thread, with the isolation of an op file's import, and
 * validates it there: its config, or why there is none as one line naming the file. The worker
 * goes on to check the op files, unless the config changed its globals.
 */
export async function loadConfigIsolated(path: string, options: Pick<IsolatedRunOptions, 'timeoutMs' | 'memoryMb' | 'onOutput' | 'onWarning' | 'signal'> = {}): Promise<ConfigResult> {
  const settings = runSettingsFor('config', options, new AbortController());
  const lane = new Lane(settings);
  const { config, reports } = await new FileRun(lane, { path }, settings).result;
  lane.release();
  if (config) return { config };
  const [failed] = reports;
  return { error: failed?.error ?? `${displayPath(path)}: could not be loaded`, stack: failed?.stack };
}

async function runJob(job: Job, given: (string | RunFile)[], options: IsolatedRunOptions): Promise<{ results: FileResult[]; reports: JobReport[] } & Omit<IsolatedRun, 'report'>> {
  const files = given.map((file): RunFile => (typeof file === 'string' ? { path: file } : file));
  const bail = new AbortController();
  const settings = runSettingsFor(job, options, bail);
  const { signal } = settings;
  const maxLanes = Math.max(1, Math.min(options.workers ?? Math.min(MAX_WORKERS, availableParallelism()), files.length));
  const results: (FileResult | undefined)[] = files.map(() => undefined);
  // Files are handed over in the order given, each once every file before it is done.
  let handedOver = 0;
  const handOver = (all: boolean): void => {
    while (handedOver < files.length && (results[handedOver] !== undefined || all)) {
      const result = results[handedOver++];
      if (result) options.onFile?.(outcomeOf(result));
    }
  };
  let next = 0;
  const serve = async (lane: Lane): Promise<void> => {
    while (next < files.length && !signal.aborted) {
      const index = next++;
      results[index] = await new FileRun(lane, files[index], settings).result;
      handOver(false);
    }
    lane.close();
  };
  // One worker first; more only once the run proves long enough to repay their start-up.
  const running = [serve(new Lane(settings))];
  const extra = setInterval(() => {
    if (running.length < maxLanes && files.length - next >= 1 && !signal.aborted) running.push(serve(new Lane(settings)));
    else clearInterval(extra);
  }, EXTRA_WORKER_AFTER_MS);
  await running[0];
  clearInterval(extra);
  await Promise.all(running);
  const interrupted = options.signal?.aborted ?? false;
  const bailed = bail.signal.aborted && !interrupted;
  // Interrupted: the files never reached are in the report too, as not run. Bailed: they are left out.
  const unreached = (file: RunFile): FileResult | undefined =>
    bailed ? undefined : { file: displayPath(file.path), reports: [inJobShape(job, fileNotRunReport(displayPath(file.path), settings.checkOptions))], notRun: 0 };
  const neverImported = results.filter((result) => result === undefined).length;
  for (let index = 0; index < files.length; index++) results[index] ??= unreached(files[index]);
  handOver(true);
  const all = results.filter((result): result is FileResult => result !== undefined);
  const notRun = { ops: all.reduce((sum, result) => sum + result.notRun, 0), files: neverImported };
  const names = [...new Set(all.flatMap((result) => result.headers?.map((header) => header.name) ?? []))];
  return { results: all, reports: all.flatMap((result) => result.reports), interrupted, notRun, ...(bailed ? { bailed } : {}), names };
}

function outcomeOf(result: FileResult): FileOutcome<JobReport> {
  return { file: result.file, reports: result.reports, empty: result.reports.length === 0, defined: result.headers?.length ?? 0 };
}

function runSettingsFor(job: Job, options: IsolatedRunOptions, bail: AbortController): RunSettings {
  const { timeoutMs = DEFAULT_TIMEOUT_MS, memoryMb = DEFAULT_MEMORY_MB, workers: _workers, signal: given, only, shard, overrides, onFile: _onFile, bail: bailAt, onOutput = printOutput, onWarning = printWarning, ...checkOptions } = options;
  // The run stops on the caller's signal or on reaching `bail` failures; only the first is an interruption.
  const signal = given ? AbortSignal.any([given, bail.signal]) : bail.signal;
  let failures = 0;
  const onReport = (report: JobReport): void => {
    if (report.status === 'fail' || report.status === 'error') failures++;
    if (bailAt !== undefined && failures >= bailAt && !bail.signal.aborted) bail.abort();
  };
  return { job, timeoutMs, memoryMb, signal, bailed: () => bail.signal.aborted && !given?.aborted, only, shard, overrides, onReport, onOutput, onWarning, checkOptions };
}

/**
 * One worker at a time, replaced when it had to be terminated, died, or asked to be retired (its
 * last file changed globals or left callbacks behind). It passes on what the worker says outside
 * any task: output, warnings.
 */
class Lane {
  private worker: RunWorker | undefined;
  private retired = false;
  constructor(private readonly settings: Pick<RunSettings, 'memoryMb' | 'onOutput' | 'onWarning'>) {}

  acquire(): RunWorker {
    if (this.worker?.exited || this.retired) this.discard();
    if (this.worker === undefined) {
      this.worker = takeWorker(this.settings.memoryMb);
      this.worker.on('message', this.onMessage);
    }
    return this.worker;
  }

  discard(): void {
    this.worker?.off('message', this.onMessage);
    void this.worker?.terminate();
    this.worker = undefined;
    this.retired = false;
  }

  close(): void {
    this.discard();
  }

  /** Gives a worker that can take more files back, for the next run to take. */
  release(): void {
    if (this.worker === undefined || this.retired || this.worker.exited) return this.discard();
    this.worker.off('message', this.onMessage);
    returnWorker(this.worker);
    this.worker = undefined;
  }

  private readonly onMessage = (message: WorkerMessage): void => {
    if (message.type === 'output') this.settings.onOutput(message);
    else if (message.type === 'warning') this.settings.onWarning(message.message);
    else if (message.type === 'retire') this.retired = true;
  };
}

interface RunSettings {
  job: Job;
  timeoutMs: number;
  memoryMb: number;
  signal: AbortSignal;
  /** The run stopped because `bail` failures were reached (not by the caller's signal). */
  bailed: () => boolean;
  only?: string[];
  shard?: Shard;
  overrides?: OpOverrideList;
  /** Each op's report as it arrives (bail counts failures). */
  onReport: (report: JobReport) => void;
  onOutput: (output: WorkerOutput) => void;
  onWarning: (message: string) => void;
  checkOptions: CheckOptions;
}

/**
 * One file's job on a lane. It runs as attempts: each posts the file to a worker with the index of
 * the first op still to run, and follows the worker's messages. An attempt ends when the worker
 * finishes the file, or when the worker has to be stopped (timeout, crash, out of memory, exit,
 * interrupt): the op it was running becomes an error report and, unless the run was interrupted,
 * a fresh worker takes the file's remaining ops in a new attempt.
 */
class FileRun {
  /** Settles once, with every report of the file, whatever happened to its workers. */
  readonly result: Promise<FileResult>;
  private readonly file: string;
  private readonly shown: string;
  /** What the worker checks with: the check options less onProgress, which stays on this thread. */
  private readonly options: CheckOptions;
  private readonly onProgress: ((progress: CheckProgress) => void) | undefined;
  private readonly reports: JobReport[] = [];
  /** The file's ops, once a worker has imported it. */
  private headers: OpHeader[] | undefined;
  private config: GradcheckConfig | undefined;
  private notRun = 0;
  private crashes = 0;
  private resolve!: (reports: JobReport[]) => void;

  // The attempt under way: its worker, the op running in it, the next op it will run, and the
  // timer of the op (or of the file's import).
  private worker!: RunWorker;
  private current: number | undefined;
  private nextIndex = 0;
  private timer: NodeJS.Timeout | undefined;
  /** The worker's thread in the operating system, whose child processes are this file's. */
  private thread: number | undefined;

  constructor(
    private readonly lane: Lane,
    private readonly runFile: RunFile,
    private readonly settings: RunSettings,
  ) {
    const { onProgress, ...options } = settings.checkOptions;
    this.onProgress = onProgress;
    this.options = options;
    this.file = runFile.path;
    this.shown = displayPath(this.file);
    this.result = new Promise((resolveResult) => {
      this.resolve = (reports) => resolveResult({ file: this.shown, headers: this.headers, reports, config: this.config, notRun: this.notRun });
      this.attempt(0);
    });
  }

  /** Posts the file to a worker, to run its ops from index `from` on. */
  private attempt(from: number): void {
    const { job, signal, only, shard, overrides } = this.settings;
    this.worker = this.lane.acquire();
    this.current = undefined;
    this.nextIndex = from;
    this.timer = undefined;
    this.worker.on('message', this.onMessage);
    this.worker.on('error', this.onError);
    this.worker.on('exit', this.onExit);
    signal?.addEventListener('abort', this.onAbort);
    if (signal?.aborted) return this.onAbort();
    const select = only !== undefined || shard !== undefined ? { only, shard, identity: this.runFile.identity ?? this.shown } : undefined;
    const task: CheckTask = { job, file: this.file, shown: this.shown, from, options: this.options, progress: this.onProgress !== undefined, select, overrides, mayHoldNoOp: this.runFile.found };
    this.worker.postMessage(task);
  }

  /** Starts timing the op (or the import) that the worker has just begun. */
  private arm(): void {
    const { timeoutMs } = this.settings;
    clearTimeout(this.timer);
    if (timeoutMs > 0) this.timer = setTimeout(() => this.stop(`did not finish within ${timeoutMs} ms (--timeout)`), timeoutMs);
  }

  /** Ends the attempt: no more timer, and nothing more heard from its worker. */
  private settle(): void {
    clearTimeout(this.timer);
    this.worker.off('message', this.onMessage);
    this.worker.off('error', this.onError);
    this.worker.off('exit', this.onExit);
    this.settings.signal?.removeEventListener('abort', this.onAbort);
  }

  /**
   * The worker can no longer be trusted: the op running in it becomes an error, and a fresh worker
   * takes the file's remaining ops (unless `retry` is false).
   */
  private stop(reason: string, stack?: string, retry = true): void {
    const { job } = this.settings;
    this.settle();
    // First the processes the op started: a spawnSync waiting on one holds the thread terminate() has to stop.
    this.reap();
    this.lane.discard();
    if (this.settings.bailed()) return this.leaveOut();
    if (this.headers === undefined) {
      this.resolve([inJobShape(job, fileErrorReport(this.shown, `${this.shown}: importing the file ${reason}`, stack, this.options))]);
      return;
    }
    const failed = this.current ?? this.nextIndex;
    if (failed >= this.headers.length) return this.resolve(this.reports);
    this.reports.push(inJobShape(job, opErrorReport(this.shown, this.headers[failed], reason, stack, this.options)));
    if (retry && failed + 1 < this.headers.length) return this.attempt(failed + 1);
    // Interrupted: the ops never reached still count, as not run.
    const unreached = this.headers.slice(failed + 1);
    for (const header of unreached) this.reports.push(inJobShape(job, notRunReport(this.shown, header, this.options)));
    this.notRun = unreached.length;
    this.resolve(this.reports);
  }

  /** Bailed out: the op running and those not reached are left out of the report, counted as not run. */
  private leaveOut(): void {
    const from = this.current ?? this.nextIndex;
    this.notRun = this.headers === undefined ? 0 : Math.max(0, this.headers.length - from);
    this.resolve(this.reports);
  }

  private readonly onMessage = (message: WorkerMessage): void => {
    switch (message.type) {
      case 'importing':
        // Timed from here: a fresh worker's own start-up is not the op file's fault.
        this.thread = message.thread;
        this.arm();
        break;
      case 'loaded':
        clearTimeout(this.timer);
        if (this.headers === undefined) this.warnOfDuplicates(message.ops);
        this.headers = message.ops;
        break;
      case 'config':
        clearTimeout(this.timer);
        this.config = message.config;
        break;
      case 'load-error':
        this.settle();
        this.reap();
        this.resolve([message.report]);
        break;
      case 'start':
        this.current = message.index;
        this.arm();
        break;
      case 'progress':
        this.onProgress?.(message.progress);
        break;
      case 'done':
        clearTimeout(this.timer);
        this.current = undefined;
        this.nextIndex++;
        this.reports.push(message.report);
        this.settings.onReport(message.report);
        break;
      case 'left-out':
        this.nextIndex++;
        break;
      case 'finished':
        this.settle();
        this.reap();
        this.resolve(this.reports);
        break;
    }
  };

  /** Stops the processes the file started and left running (children.ts), and names them in a warning. */
  private reap(): void {
    const left = stopLeftovers(this.thread);
    if (left.length === 0) return;
    const op = this.current === undefined ? undefined : this.headers?.[this.current]?.name;
    const who = op === undefined ? this.shown : `${this.shown} › ${op}`;
    const listed = left.map(({ pid, command }) => `'${command}' (pid ${pid})`).join(', ');
    const count = left.length === 1 ? '1 process' : `${left.length} processes`;
    this.settings.onWarning(`${who} left ${count} running: ${listed}; stopped ${left.length === 1 ? 'it' : 'them'}`);
  }

  /** Two ops of one name are told apart by their lines in every report; the user should still know. */
  private warnOfDuplicates(ops: OpHeader[]): void {
    const lines = new Map<string, (number | undefined)[]>();
    for (const op of ops) lines.set(op.name, [...(lines.get(op.name) ?? []), op.line]);
    for (const [name, at] of lines) {
      if (at.length < 2) continue;
      const where = at.every((line) => line !== undefined) ? ` (lines ${at.slice(0, -1).join(', ')} and ${at[at.length - 1]})` : '';
      this.settings.onWarning(`${this.shown} has ${at.length} ops named '${name}'${where}: reports tell them apart by line; give each its own name`);
    }
  }

  private readonly onError = (error: Error & { code?: string }): void => {
    if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
      this.stop(`ran out of memory: the JavaScript heap reached its limit of ${this.settings.memoryMb} MB (--max-memory)`);
    } else if (this.crashes++ === 0) {
      // Perhaps not this op's fault: an earlier op's stray timer can throw while this one runs.
      // Once more in a fresh worker; a second crash is its own.
      this.settle();
      this.reap();
      this.lane.discard();
      this.attempt(this.current ?? this.nextIndex);
    } else {
      this.stop(`crashed: ${error.message}`, error.stack);
    }
  };

  private readonly onExit = (code: number): void => this.stop(`stopped the worker running it (exit code ${code}; does it call process.exit?)`);

  private readonly onAbort = (): void => this.stop('was interrupted', undefined, false);
}
