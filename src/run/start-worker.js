// Starts the worker threads of the isolated runner (src/runner.ts; each runs worker.thread.js).
// `prestartWorker` lets bin/gradcheck.js start the first worker before the CLI itself loads, so the
// worker's start-up (TypeScript support, gradcheck's own modules) overlaps the main thread's
// instead of following it. Plain JavaScript, because it runs before TypeScript support exists.
import { Worker } from 'node:worker_threads';

export const DEFAULT_MEMORY_MB = 4096;
let spare;

function startWorker(memoryMb) {
  const worker = new Worker(new URL('./worker-thread.js', import.meta.url), {
    resourceLimits: { maxOldGenerationSizeMb: memoryMb },
  });
  worker.memoryMb = memoryMb;
  // The runner listens while a file runs; an error outside that (a worker dying while idle) must
  // not become an unhandled 'error' event that takes the whole process down.
  worker.on('error', () => {});
  // A worker can also die between files (an op's stray timer that throws): the runner then starts another.
  worker.once('exit', () => (worker.exited = true));
  return worker;
}

/** Starts a worker with the default memory limit; it does not keep the process alive until taken. */
export function prestartWorker() {
  spare ??= startWorker(DEFAULT_MEMORY_MB);
  spare.unref();
}

/** The prestarted worker if it fits, else a new one. */
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
