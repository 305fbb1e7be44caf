// The element-wise check of a large op, split over the machine's cores. Its cost is numericGradient:
// two (or four, or six) evaluations of φ(x) = vᵀf(x) per input element, thousands of forwards that
// do not depend on one another. So helper threads load the op file again and rebuild the same φ
// (helper-side.ts); each numeric gradient is then cut into chunks that this thread and the helpers
// claim from a shared counter and compute with the same arithmetic at the same x
// (shared-gradient.ts), while this thread stays synchronous: it works on chunks itself and then
// blocks until the helpers' are done. Every value is the one a single thread computes, so the
// report is the same whatever the number of cores; so is `evaluations`, which counts the helpers'.
//
// An op whose forward keeps state between calls (a call counter, a cache it fills) can compute
// differently in a helper, which saw other calls before; its differences, like its check, are then
// only as good as that state is harmless.
import { existsSync, realpathSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { Worker, workerData } from 'node:worker_threads';
import { allocate } from '../../core/storage.ts';
import type { Op } from '../../spec/define.ts';
import { sourceOf } from '../../spec/source.ts';
import type { ElementDifferences } from '../modes/estimates.ts';
import { evaluationsPerPoint, numericGradient } from '../numeric/differences.ts';
import type { NumericGradient } from '../numeric/differences.ts';
import type { Phi } from '../phi.ts';
import type { Held } from '../numeric/point.ts';
import type { Prepared } from '../prepare.ts';
import type { Method } from '../../model/report.ts';
import { HELPER_ROLE } from './protocol.ts';
import type { DifferencesTask, HelperStart, OpMessage } from './protocol.ts';
import { claimChunk, createSharedGradient, differenceChunk, DONE, PENDING } from './shared-gradient.ts';
import type { SharedGradient } from './shared-gradient.ts';

/** Below this many input elements the element-wise check stays on one thread, untimed. */
export const THREADED_MIN_ELEMENTS = 2048;
/**
 * A helper costs 0.2–0.3 s of CPU to start (TypeScript support, the checker's modules, the op
 * file) before it takes any chunk: unless the threads were asked for, helpers start only for an
 * element-wise check estimated to take at least this long on one thread, one more per this much.
 */
export const THREADED_MIN_MS = 500;
/** Chunks per thread: enough that threads finish within a chunk of each other, few enough to cost nothing to hand out. */
const CHUNKS_PER_THREAD = 64;
/**
 * A chunk a helper took and has not finished after this long (and after many times this thread's
 * slowest chunk) is computed here: the helper died or hangs.
 */
const MIN_STALL_MS = 2000;
const STALL_FACTOR = 30;

/** The environment variable that sets the threads of the element-wise check, as CheckOptions.threads does. */
export const THREADS_VARIABLE = 'GRADCHECK_THREADS';

export interface Helpers {
  /** The element-wise differences of input k, shared with the helpers. */
  differencesOf(input: number): ElementDifferences;
  /** Done with this op: the helpers stop, unless they are kept for the file's next op (sharingHelpers). */
  release(): void;
}

export interface HelperRequest {
  op: Op;
  prepared: Prepared;
  /** The element-wise check's estimated time on one thread, in ms; asked only when everything else allows helpers. */
  elementWiseMs: () => number;
  /** CheckOptions.threads. */
  threads?: number;
}

/** The helpers running, all loading or holding one op file. */
interface Pool {
  file: string;
  workers: Worker[];
  /** The last op announced to them. */
  lastOp: number;
}

let pool: Pool | undefined;
/** How many sharingHelpers calls are under way: while any is, helpers outlive the op that started them. */
let sharing = 0;

/**
 * Runs the checks of one file's ops, one after another, with the helper threads kept from op to
 * op, so that their start-up is paid once per file; stops them after.
 */
export function sharingHelpers<T>(checks: () => T): T {
  sharing++;
  try {
    return checks();
  } finally {
    if (--sharing === 0) stopPool();
  }
}

/**
 * Helper threads for an op's element-wise check, or undefined to keep it on this thread: a small
 * or quick check, an op that did not come from a file a helper can load, float32 or second order
 * (their problems are not built from the file alone), one core, or a helper that could not start.
 */
export function startHelpers({ op, prepared, elementWiseMs, threads }: HelperRequest): Helpers | undefined {
  const { settings, inputs } = prepared;
  const elements = inputs.reduce((n, input) => n + (input.constant ? 0 : input.data.length), 0);
  const limit = threadLimit(threads);
  const most = limit.threads - 1;
  if (most < 1 || settings.order !== 1 || settings.precision !== 'float64' || elements < THREADED_MIN_ELEMENTS || isHelperThread()) return undefined;
  const where = whereToLoad(op);
  if (!where) return undefined;
  const count = limit.explicit ? most : Math.min(most, Math.floor(elementWiseMs() / THREADED_MIN_MS));
  if (count < 1) return undefined;
  const running = poolFor(where.file, count);
  if (!running) return undefined;
  const workers = running.workers.slice(0, count);
  const id = ++running.lastOp;
  const expected = { inputs: inputs.map((input) => input.data), output: prepared.output, cotangent: prepared.cotangent };
  const announce: OpMessage = { type: 'op', id, index: where.index, name: op.name, settings, expected };
  for (const worker of workers) worker.postMessage(announce);
  return {
    differencesOf: (input) => (phi, x, eps, method) => splitDifferences(workers, { type: 'differences', op: id, input, eps, method }, phi, x),
    release: () => {
      if (sharing === 0) stopPool();
    },
  };
}

/** The pool for `file` with at least `count` helpers: those already running for it, and more started. Undefined when one cannot start. */
function poolFor(file: string, count: number): Pool | undefined {
  if (pool?.file !== file) stopPool();
  const running = (pool ??= { file, workers: [], lastOp: 0 });
  try {
    while (running.workers.length < count) running.workers.push(startHelper({ role: HELPER_ROLE, file }));
  } catch {
    stopPool();
    return undefined;
  }
  return running;
}

function stopPool(): void {
  for (const worker of pool?.workers ?? []) void worker.terminate();
  pool = undefined;
}

/**
 * The threads an op's element-wise check may use: CheckOptions.threads, else GRADCHECK_THREADS, else
 * one per core, never more than the cores. Asked for explicitly, they are used for every check they
 * may be (the caller decided); by default only where the estimated time repays their start-up.
 */
function threadLimit(requested: number | undefined): { threads: number; explicit: boolean } {
  const variable = process.env[THREADS_VARIABLE];
  const asked = requested ?? (variable === undefined || variable.trim() === '' ? undefined : Number(variable));
  const cores = availableParallelism();
  const explicit = asked !== undefined && Number.isInteger(asked) && asked >= 1;
  return { threads: explicit ? Math.min(asked, cores) : cores, explicit };
}

/** A helper never starts helpers of its own (an op file that checks ops as it is imported, say). */
function isHelperThread(): boolean {
  return (workerData as Partial<HelperStart> | null)?.role === HELPER_ROLE;
}

/**
 * Where a helper finds the op: the file and index loadOps gave it (run, checkFile), else the file
 * that defined it (gradcheck(op) on an op imported from a module), where it must be the one op of
 * its name. Never the script that is running: importing it again would run it again.
 */
function whereToLoad(op: Op): { file: string; index?: number } | undefined {
  const source = sourceOf(op);
  if (source) return source;
  const file = op.location?.file;
  if (file === undefined || !isAbsolute(file) || !existsSync(file)) return undefined;
  const script = process.argv[1];
  if (script !== undefined && existsSync(script) && realpathSync(resolve(script)) === realpathSync(file)) return undefined;
  return { file };
}

function startHelper(start: HelperStart): Worker {
  const worker = new Worker(new URL('./helper-thread.js', import.meta.url), {
    workerData: start,
    // What the op file prints as a helper loads it was printed already, by the thread checking it.
    stdout: true,
    stderr: true,
    resourceLimits: { maxOldGenerationSizeMb: Math.ceil(getHeapStatistics().heap_size_limit / 2 ** 20) },
  });
  worker.stdout.resume();
  worker.stderr.resume();
  // A helper that fails only takes no part: its chunks are computed here.
  worker.on('error', () => {});
  worker.unref();
  return worker;
}

/**
 * numericGradient(phi, x, eps, method), the elements shared with the helpers. An evaluation that
 * throws sends the whole gradient back to numericGradient on this thread, from the values x had,
 * so that the error raised is the one a single thread meets first.
 */
function splitDifferences(workers: Worker[], task: Omit<DifferencesTask, 'shared'>, phi: Phi, x: Held): NumericGradient {
  const { eps, method } = task;
  const before = phi.evaluations;
  const length = x.data.length;
  const chunkSize = Math.max(1, Math.ceil(length / (CHUNKS_PER_THREAD * (workers.length + 1))));
  const shared = createSharedGradient(length, chunkSize);
  const message: DifferencesTask = { ...task, shared: { buffer: shared.buffer, length, chunkSize } };
  for (const worker of workers) worker.postMessage(message);
  let gradient: NumericGradient;
  try {
    const slowestMs = computeShare(phi, x, eps, method, shared);
    awaitHelpers(phi, x, eps, method, shared, slowestMs);
    gradient = { values: copied(shared.values), truncation: copied(shared.truncation) };
  } catch {
    Atomics.store(shared.counter, 0, shared.chunks);
    gradient = numericGradient(phi, x, eps, method);
  }
  // Counted as one thread would count them, whoever made them.
  phi.addEvaluations(before + length * evaluationsPerPoint(method) - phi.evaluations);
  return gradient;
}

/** This thread's share: chunks until none is left to claim. The slowest chunk's time, in ms. */
function computeShare(phi: Phi, x: Held, eps: number, method: Method, shared: SharedGradient): number {
  let slowest = 0;
  for (let chunk = claimChunk(shared); chunk !== undefined; chunk = claimChunk(shared)) {
    const started = performance.now();
    differenceChunk(phi, x, eps, method, shared, chunk);
    slowest = Math.max(slowest, performance.now() - started);
  }
  return slowest;
}

/** Blocks until every chunk a helper took is done; one that failed or stalled is computed here. */
function awaitHelpers(phi: Phi, x: Held, eps: number, method: Method, shared: SharedGradient, slowestMs: number): void {
  const stallMs = Math.max(MIN_STALL_MS, STALL_FACTOR * slowestMs);
  for (let chunk = 0; chunk < shared.chunks; chunk++) {
    const giveUpAt = performance.now() + stallMs;
    let state = Atomics.load(shared.states, chunk);
    while (state === PENDING && performance.now() < giveUpAt) {
      Atomics.wait(shared.states, chunk, PENDING, giveUpAt - performance.now());
      state = Atomics.load(shared.states, chunk);
    }
    if (state !== DONE) differenceChunk(phi, x, eps, method, shared, chunk);
  }
}

function copied(values: Float64Array): Float64Array {
  const copy = allocate(values.length);
  copy.set(values);
  return copy;
}
