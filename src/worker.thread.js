// A worker thread of the isolated runner: the same runtime as the main process (tsx, 'gradcheck'
// resolution; see runtime.js), then the runner's worker side. Plain JavaScript, like runtime.js.
import { parentPort } from 'node:worker_threads';
import { setupRuntime } from './runtime.js';

await setupRuntime();
const { serveChecks } = await import('./runner.ts');
serveChecks(parentPort);
