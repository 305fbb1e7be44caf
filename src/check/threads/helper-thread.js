// @ts-check
// A helper thread of the element-wise check (split.ts starts it): the runtime op files need (tsx,
// 'gradcheck' resolving to this copy; see load/runtime.js), then helper-side.ts, which loads the op
// again and computes its share of the differences. Plain JavaScript, like runtime.js.
import { parentPort, workerData } from 'node:worker_threads';
import { compiled, setupRequireRuntime } from '../../load/runtime.js';

if (parentPort === null) throw new Error('helper-thread.js runs as a helper thread of the element-wise check (split.ts starts it)');
// Built (dist/): the helper's own modules load before any TypeScript hook, which would otherwise see each of their imports.
const early = compiled ? await import('./helper-side.ts') : undefined;
await setupRequireRuntime();
const { serveDifferences } = early ?? (await import('./helper-side.ts'));
await serveDifferences(parentPort, workerData);
