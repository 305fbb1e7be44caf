// `npx vitest bench --run test/bench`: tinybench timings of the checker on the seven benchmark ops,
// through the library API. `npm run bench` (report.ts) measures the same checks and sets them beside
// torch.autograd.gradcheck, with the forward-evaluation floor, cold start and memory.
import { bench, describe } from 'vitest';
import { checkOp } from '../../src/check/check-op.ts';
import { loadBenchOps, optionsFor } from './measure.ts';
import type { ModeName } from './measure.ts';

const ops = await loadBenchOps();

for (const mode of ['default', 'fast'] satisfies ModeName[]) {
  describe(`gradcheck, ${mode} mode`, () => {
    for (const op of ops) {
      bench(op.name, () => void checkOp(op, optionsFor(mode)), { iterations: 5, warmupIterations: 1, time: 0 });
    }
  });
}
