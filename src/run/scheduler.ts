// The isolated runner behind `gradcheck run` and `gradcheck sweep`: op files run in worker threads, so an op that hangs,
// crashes or exhausts memory becomes that op's error report while the rest of the run goes on.
//
// One worker per core at most (two at most), each reused file after file: spawning a worker means
// setting up TypeScript again, which costs about as much CPU as the CLI's own start-up.
// The worker announces each op before checking it; the main thread times the op, terminates the
// worker when it overruns, reports the op as an error and starts a fresh worker for the file's
// remaining ops. Reports are kept per file and returned in command-line order, whatever finished first.
import { availableParallelism } from 'node:os';
import { displayPath, fileErrorReport, inJobShape, summarize } from './results.ts';
import type { OpSweep, SweepReport } from '../check/sweep.ts';
import { DEFAULT_SEED, DEFAULT_TOLERANCE } from '../check/types.ts';
import type { CheckOptions, CheckProgress, OpReport, RunReport } from '../check/types.ts';
import { DEFAULT_MEMORY_MB, takeWorker } from './start-worker.js';
import type { RunWorker } from './start-worker.js';

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
  /** Only the op with this name is checked; the others come back as unchecked placeholders (`--op`). */
  only?: string;
}

export interface IsolatedRun<Report = RunReport> {
  report: Report;
  /** The run was aborted: `report` holds only the files (and ops) finished before that. */
  interrupted: boolean;
}

/** What a worker does with each op: check it (`run`), sweep ε over it (`sweep`), or only list it (`list`). */
export type Job = 'check' | 'sweep' | 'list';
/** One op's report: a check's or a sweep's, as the job says. */
export type JobReport = OpReport | OpSweep;

/** What the main thread asks of a worker: check (or sweep) the ops of `file` from index `from` on. */
export interface CheckTask {
  job: Job;
  file: string;
  shown: string;
  from: number;
  options: CheckOptions;
  progress: boolean;
  only?: string;
}

/** An op as its file declares it, before anything runs: what `list` prints. */
export interface OpHeader {
  name: string;
  line?: number;
  /** Each input's shape as declared; null for a malformed one (the check reports it). */
  inputs: { name: string; shape: number[] | null }[];
}

/** One file's outcome: its ops' headers once imported, and the reports of its ops (or of its import). */
interface FileResult {
  file: string;
  headers?: OpHeader[];
  reports: JobReport[];
}

export interface ListedFile {
  file: string;
  ops: OpHeader[];
  /** Why the file could not be imported, or holds no op. */
  error?: string;
}

export type WorkerMessage =
  | { type: 'importing' }
  | { type: 'loaded'; ops: OpHeader[] }
  | { type: 'load-error'; report: JobReport }
  | { type: 'start'; index: number }
  | { type: 'progress'; progress: CheckProgress }
  | { type: 'done'; report: JobReport }
  | { type: 'finished' };

/** Checks every file in worker threads and gathers one run report, files in the order given. */
export async function runIsolated(files: string[], options: IsolatedRunOptions = {}): Promise<IsolatedRun> {
  const { reports, interrupted } = await runJob('check', files, options);
  return { report: summarize(reports as OpReport[], options), interrupted };
}

/** Sweeps ε over every op of every file in worker threads, with the same isolation as `runIsolated`. */
export async function sweepIsolated(files: string[], options: IsolatedRunOptions = {}): Promise<IsolatedRun<SweepReport>> {
  const { reports, interrupted } = await runJob('sweep', files, options);
  const ops = reports as OpSweep[];
  const report = {
    passed: ops.every((op) => op.status === 'pass'),
    tolerance: options.tolerance ?? DEFAULT_TOLERANCE,
    seed: options.seed ?? DEFAULT_SEED,
    ops,
  };
  return { report, interrupted };
}

/** Imports every file in worker threads, with the same isolation, and lists the ops each declares. */
export async function listIsolated(files: string[], options: IsolatedRunOptions = {}): Promise<IsolatedRun<ListedFile[]>> {
  const { results, interrupted } = await runJob('list', files, options);
  const listed = results.map(({ file, headers, reports }) => ({
    file,
    ops: headers ?? [],
    ...(reports[0]?.error !== undefined ? { error: reports[0].error } : {}),
  }));
  return { report: listed, interrupted };
}

async function runJob(job: Job, files: string[], options: IsolatedRunOptions): Promise<{ results: FileResult[]; reports: JobReport[]; interrupted: boolean }> {
  const { timeoutMs = DEFAULT_TIMEOUT_MS, memoryMb = DEFAULT_MEMORY_MB, workers, signal, only, ...checkOptions } = options;
  const maxLanes = Math.max(1, Math.min(workers ?? Math.min(MAX_WORKERS, availableParallelism()), files.length));
  const results: (FileResult | undefined)[] = files.map(() => undefined);
  let next = 0;
  const settings = { job, timeoutMs, memoryMb, signal, only, checkOptions };
  const serve = async (lane: Lane): Promise<void> => {
    while (next < files.length && !signal?.aborted) {
      const index = next++;
      results[index] = await checkFileInWorker(lane, files[index], settings);
    }
    lane.close();
  };
  // One worker first; more only once the run proves long enough to repay their start-up.
  const running = [serve(new Lane(memoryMb))];
  const extra = setInterval(() => {
    if (running.length < maxLanes && files.length - next >= 1 && !signal?.aborted) running.push(serve(new Lane(memoryMb)));
    else clearInterval(extra);
  }, EXTRA_WORKER_AFTER_MS);
  await running[0];
  clearInterval(extra);
  await Promise.all(running);
  const finished = results.filter((result): result is FileResult => result !== undefined);
  return { results: finished, reports: finished.flatMap((result) => result.reports), interrupted: signal?.aborted ?? false };
}

/** One worker at a time, replaced when it had to be terminated or died. */
class Lane {
  private worker: RunWorker | undefined;
  constructor(private readonly memoryMb: number) {}

  acquire(): RunWorker {
    if (this.worker?.exited) this.worker = undefined;
    this.worker ??= takeWorker(this.memoryMb);
    return this.worker;
  }

  discard(): void {
    void this.worker?.terminate();
    this.worker = undefined;
  }

  close(): void {
    this.discard();
  }
}

interface Settings {
  job: Job;
  timeoutMs: number;
  memoryMb: number;
  signal?: AbortSignal;
  only?: string;
  checkOptions: CheckOptions;
}

function checkFileInWorker(lane: Lane, file: string, settings: Settings): Promise<FileResult> {
  const { job, timeoutMs, memoryMb, signal, only, checkOptions } = settings;
  const { onProgress, ...options } = checkOptions;
  const shown = displayPath(file);
  const reports: JobReport[] = [];
  let ops: OpHeader[] | undefined;
  let crashes = 0;

  return new Promise((resolveResult) => {
    const resolve = (done: JobReport[]): void => resolveResult({ file: shown, headers: ops, reports: done });
    const attempt = (from: number): void => {
      const worker = lane.acquire();
      let current: number | undefined;
      let nextIndex = from;
      let timer: NodeJS.Timeout | undefined;
      const arm = (): void => {
        clearTimeout(timer);
        if (timeoutMs > 0) timer = setTimeout(() => stop(`did not finish within ${timeoutMs} ms (--timeout)`), timeoutMs);
      };
      const settle = (): void => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        signal?.removeEventListener('abort', onAbort);
      };
      // The worker can no longer be trusted: the op running in it becomes an error, and a fresh
      // worker takes the file's remaining ops.
      const stop = (reason: string, stack?: string, retry = true): void => {
        settle();
        lane.discard();
        if (ops === undefined) {
          resolve([inJobShape(job, fileErrorReport(shown, `${shown}: importing the file ${reason}`, stack, options))]);
          return;
        }
        const failed = current ?? nextIndex;
        if (failed >= ops.length) return resolve(reports);
        reports.push(inJobShape(job, opErrorReport(shown, ops[failed], reason, stack, options)));
        if (retry && failed + 1 < ops.length) attempt(failed + 1);
        else resolve(reports);
      };
      const onMessage = (message: WorkerMessage): void => {
        switch (message.type) {
          case 'importing':
            // Timed from here: a fresh worker's own start-up is not the op file's fault.
            arm();
            break;
          case 'loaded':
            clearTimeout(timer);
            ops = message.ops;
            break;
          case 'load-error':
            settle();
            resolve([message.report]);
            break;
          case 'start':
            current = message.index;
            arm();
            break;
          case 'progress':
            onProgress?.(message.progress);
            break;
          case 'done':
            clearTimeout(timer);
            current = undefined;
            nextIndex++;
            reports.push(message.report);
            break;
          case 'finished':
            settle();
            resolve(reports);
            break;
        }
      };
      const onError = (error: Error & { code?: string }): void => {
        if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
          stop(`ran out of memory: the JavaScript heap reached its limit of ${memoryMb} MB (--max-memory)`);
        } else if (crashes++ === 0) {
          // Perhaps not this op's fault: an earlier op's stray timer can throw while this one runs.
          // Once more in a fresh worker; a second crash is its own.
          settle();
          lane.discard();
          attempt(current ?? nextIndex);
        } else {
          stop(`crashed: ${error.message}`, error.stack);
        }
      };
      const onExit = (code: number): void => stop(`stopped the worker running it (exit code ${code}; does it call process.exit?)`);
      const onAbort = (): void => stop('was interrupted', undefined, false);

      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      signal?.addEventListener('abort', onAbort);
      if (signal?.aborted) return onAbort();
      const task: CheckTask = { job, file, shown, from, options, progress: onProgress !== undefined, only };
      worker.postMessage(task);
    };
    attempt(0);
  });
}

function opErrorReport(file: string, op: OpHeader, reason: string, stack: string | undefined, options: CheckOptions): OpReport {
  const where = op.line ? `${file}:${op.line}` : file;
  return { ...fileErrorReport(file, `${where}: op '${op.name}' ${reason}`, stack, options), name: op.name, line: op.line };
}
