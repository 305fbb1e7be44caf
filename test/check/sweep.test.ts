// The ε sweep behind `gradcheck sweep`: element by element for ordinary inputs, along a random
// direction for inputs too large for that (2 evaluations per step instead of 2·N).
import { describe, expect, it } from 'vitest';
import { loadOps } from '../helpers/in-process.ts';
import { SWEEP_ELEMENT_WISE_LIMIT, sweepOp } from '../../src/check/sweep.ts';
import { customOp, defineOp } from '../../src/index.ts';

const linear = (scaleOfDw: number) =>
  defineOp({
    name: 'linear',
    inputs: { x: [8, 16], w: [16, 512] },
    forward: ({ x, w }) =>
      customOp({
        name: 'linear',
        forward: (a, b) => a.matmul(b),
        backward: (g, { inputs: [a, b] }) => [g.matmul(b.transpose()), a.transpose().matmul(g).mul(scaleOfDw)],
      })(x, w).tanh().sum(),
  });

describe('sweep', () => {
  it('finds the bottom of the U-curve at 1e-5 or 1e-6 for smooth ops (tanh, exp, sin), with the band around it', async () => {
    const ops = await loadOps('test/report/fixtures/smooth.ts');
    expect(ops.map((op) => op.name)).toEqual(['tanh', 'exp', 'sin']);
    for (const op of ops) {
      const report = sweepOp(op);
      expect(report.status, op.name).toBe('pass');
      const [input] = report.inputs;
      expect([1e-5, 1e-6], `${op.name}'s minimum`).toContain(input.minimum.eps);
      expect(input.recommendedEps).toBe(input.minimum.eps);
      expect(input.sweep).toHaveLength(12);
      expect(input.measured).toBeUndefined();
      // A U: both ends of the sweep are far worse than the bottom.
      expect(input.sweep[0].relErr).toBeGreaterThan(1e3 * input.minimum.relErr);
      expect(input.sweep[11].relErr).toBeGreaterThan(1e3 * input.minimum.relErr);
      expect(input.band!.largestEps).toBeGreaterThanOrEqual(input.minimum.eps);
      expect(input.band!.smallestEps).toBeLessThanOrEqual(input.minimum.eps);
    }
  });

  it('sweeps a large input along a random direction: a U-curve with its bottom near 1e-5, in 2 evaluations a step', () => {
    expect(16 * 512).toBeGreaterThan(SWEEP_ELEMENT_WISE_LIMIT);
    const report = sweepOp(linear(1));
    expect(report.status).toBe('pass');
    const [x, w] = report.inputs;
    expect(x.measured).toBeUndefined();
    expect(w.measured).toBe('direction');
    expect([1e-4, 1e-5, 1e-6, 1e-7]).toContain(w.minimum.eps);
    expect(w.minimum.relErr).toBeLessThan(1e-8);
    // A U: both ends far above the bottom.
    expect(w.sweep[0].relErr).toBeGreaterThan(1e3 * w.minimum.relErr);
    expect(w.sweep[11].relErr).toBeGreaterThan(1e3 * w.minimum.relErr);
    // x element by element (2 × 128 per step), w along its direction (2 per step), over 12 steps.
    expect(report.evaluations).toBe(12 * (2 * 128 + 2));
  });

  it('still fails a large input whose gradient is 0.1% off', () => {
    const report = sweepOp(linear(1.001));
    expect(report.status).toBe('fail');
    expect(report.inputs.map((input) => input.passed)).toEqual([true, false]);
  });
});
