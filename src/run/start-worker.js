// @ts-check
// Starts the worker threads of the isolated run (scheduler.ts hands them files; each runs
// worker-thread.js). `prestartWorker` lets bin/gradcheck.js start the first worker before the CLI
// itself loads, so the worker's start-up (TypeScript support, gradcheck's own modules) overlaps the
// main thread's instead of following it. Plain JavaScript, because it runs before TypeScript support exists.
import { Worker } from 'node:worker_threads';

/**
 * What the scheduler keeps on each of its workers.
 * @typedef {object} RunWorkerState
 * @property {number} memoryMb Its heap limit: a prestarted worker goes only to a run with the same limit.
 * @property {boolean} exited It has stopped (terminated, or died between files) and can take no more files.
 */
/** @typedef {Worker & RunWorkerState} RunWorker A worker thread of the isolated run. */

export const DEFAULT_MEMORY_MB = 4096;
/** @type {RunWorker | undefined} */
let spare;

/**
 * @param {number} memoryMb
 * @returns {RunWorker}
 */
function startWorker(memoryMb) {
  const thread = new Worker(new URL('./worker-thread.js', import.meta.url), {
    resourceLimits: { maxOldGenerationSizeMb: memoryMb },
  });
  const worker = Object.assign(thread, { memoryMb, exited: false });
  // The scheduler listens while a file runs; an error outside that (a worker dying while idle) must
  // not become an unhandled 'error' event that takes the whole process down.
  worker.on('error', () => {});
  // A worker can also die between files (an op's stray timer that throws): the scheduler then starts another.
  worker.once('exit', () => (worker.exited = true));
  return worker;
}

/** Starts a worker with the default memory limit; it does not keep the process alive until taken. */
export function prestartWorker() {
  spare ??= startWorker(DEFAULT_MEMORY_MB);
  spare.unref();
}

/**
 * A worker that finished a task and can take more (it loaded only gradcheck.config.ts, say) becomes
 * the spare again, so that the run after it does not start another.
 * @param {RunWorker} worker
 */
export function returnWorker(worker) {
  if (worker.exited || spare !== undefined) {
    void worker.terminate();
    return;
  }
  spare = worker;
  spare.unref();
}

/**
 * The prestarted worker if it has this heap limit, else a new one.
 * @param {number} memoryMb
 * @returns {RunWorker}
 */
export function takeWorker(memoryMb) {
  const worker = spare;
  spare = undefined;
  if (worker && worker.memoryMb === memoryMb) {
    worker.ref();
    return worker;
  }
  void worker?.terminate();
  return startWorker(memoryMb);
}
