// A worker thread of the isolated runner: the runtime (tsx, 'gradcheck' resolution; see runtime.js),
// then the runner's worker side. Plain JavaScript, like runtime.js.
import { parentPort } from 'node:worker_threads';
import { compiled, setupRequireRuntime } from '../load/runtime.js';

// Built (dist/): the runner loads before any TypeScript hook, which would otherwise see each of its
// imports; op files are then required in this thread (no module-hooks thread unless a file needs one).
const early = compiled ? await import('./worker-side.ts') : undefined;
await setupRequireRuntime();
const { serveChecks } = early ?? (await import('./worker-side.ts'));
serveChecks(parentPort);
