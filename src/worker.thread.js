// A worker thread of the isolated runner: the same runtime as the main process (tsx, 'gradcheck'
// resolution; see runtime.js), then the runner's worker side. Plain JavaScript, like runtime.js.
import { parentPort } from 'node:worker_threads';
import { compiled, setupRuntime } from './runtime.js';

// Built (dist/): the runner loads before the TypeScript hooks, which would otherwise see each of its imports.
const early = compiled ? await import('./runner.ts') : undefined;
await setupRuntime();
const { serveChecks } = early ?? (await import('./runner.ts'));
serveChecks(parentPort);
