// @ts-check
// A worker thread of the isolated run: the runtime (tsx, 'gradcheck' resolution; see runtime.js),
// then the worker's loop (worker-side.ts). Plain JavaScript, like runtime.js.
import { parentPort } from 'node:worker_threads';
import { compiled, gradcheckNamespaces, setupRequireRuntime } from '../load/runtime.js';

if (parentPort === null) throw new Error('worker-thread.js runs as a worker thread of the isolated run (start-worker.js starts it)');
// Built (dist/): the worker's own modules load before any TypeScript hook, which would otherwise see
// each of their imports; op files are then required in this thread (no module-hooks thread unless a file needs one).
const early = compiled ? await import('./worker-side.ts') : undefined;
await setupRequireRuntime();
const { serveChecks } = early ?? (await import('./worker-side.ts'));
serveChecks(parentPort, await gradcheckNamespaces());
