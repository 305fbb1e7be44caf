// gradcheck(op), the library's entry point: a wrong gradient fails and the report names the input
// and its worst element; the same seed gives the same report, another seed other inputs.
import { describe, expect, it } from 'vitest';
import { defineOp, gradcheck } from '../../src/index.ts';

describe('gradcheck(op)', () => {
  it('fails a wrong gradient, naming the input and its worst element', async () => {
    const report = await gradcheck(
      defineOp({
        name: 'y detached in one term',
        inputs: { x: [5], y: [5] },
        forward: ({ x, y }) => x.mul(y).add(y.detach().square()),
      }),
    );
    expect(report.status).toBe('fail');
    expect(report.inputs.map((input) => input.passed)).toEqual([true, false]);
    const y = report.inputs[1];
    expect(y.relErr).toBeGreaterThan(1e-3);
    expect(report.maxRelErr).toBe(y.relErr);
    expect(y.worst.index).toHaveLength(1);
    expect(Math.abs(y.worst.analytic - y.worst.numeric)).toBeGreaterThan(1e-3);
  });

  it('is reproducible: the same seed gives the same numbers, another seed other inputs', async () => {
    const op = defineOp({ name: 'mlp', inputs: { x: [2, 3], w: [3, 2] }, forward: ({ x, w }) => x.matmul(w).tanh().sum() });
    const strip = (r: Awaited<ReturnType<typeof gradcheck>>) => ({ ...r, elapsedMs: 0 });
    const first = await gradcheck(op, { seed: 3 });
    expect(strip(await gradcheck(op, { seed: 3 }))).toEqual(strip(first));
    const other = await gradcheck(op, { seed: 4 });
    expect(other.inputs[0].worst.analytic).not.toBe(first.inputs[0].worst.analytic);
  });
});
