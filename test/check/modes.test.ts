// --method, --order 2 and --mode fast|element-wise|auto, through checkOp (what `gradcheck run` calls).
import { describe, expect, it } from 'vitest';
import { checkOp } from '../../src/check/check-op.ts';
import { customOp, defineOp } from '../../src/index.ts';
import type { Tensor } from '../../src/index.ts';
import { ELEMENT_WISE_FALLBACK_LIMIT } from '../../src/check/modes/localize.ts';

const sigmoid = defineOp({ name: 'sigmoid', inputs: { x: [24] }, forward: ({ x }) => x.sigmoid() });

describe('--method', () => {
  it('five-point and richardson get closer to the truth than the centered difference on a smooth op', () => {
    const error = (method: 'central' | 'five-point' | 'richardson') => checkOp(sigmoid, { method, mode: 'element-wise' }).maxRelErr;
    const central = error('central');
    expect(error('five-point')).toBeLessThan(central);
    expect(error('richardson')).toBeLessThan(central);
    expect(error('richardson')).toBeLessThan(1e-9);
  });

  it('every method still fails a 0.1% error', () => {
    const scaled = defineOp({
      name: 'tanh 0.1% off',
      inputs: { x: [6] },
      evaluate: ({ x }) => x.map(Math.tanh),
      vjp: ({ x }, g) => ({ x: x.map((v, i) => 1.001 * g[i] * (1 - Math.tanh(v) ** 2)) }),
    });
    for (const method of ['central', 'five-point', 'richardson'] as const) {
      const report = checkOp(scaled, { method });
      expect(report.status).toBe('fail');
      expect(report.diagnoses.map((d) => d.code)).toEqual(['scaled']);
    }
  });
});

describe('--order 2', () => {
  it('passes built-in ops and a customOp whose backward is built from tensor ops', () => {
    const softplus = customOp({ name: 'softplus', forward: (x) => x.exp().add(1).log(), backward: (g, { inputs: [x] }) => [g.mul(x.sigmoid())] });
    const ops = [
      defineOp({ name: 'mlp', inputs: { x: [3, 4], w: [4, 2] }, forward: ({ x, w }) => x.matmul(w).tanh().sum() }),
      defineOp({ name: 'softplus', inputs: { x: [8] }, forward: ({ x }) => softplus(x).mul(x).sum() }),
    ];
    for (const op of ops) {
      const report = checkOp(op, { order: 2 });
      expect(report.status, op.name).toBe('pass');
      expect(report.order).toBe(2);
    }
  });

  it('fails a backward that is right at first order but cuts its own graph', () => {
    // The derivative values are right, but x.detach() hides them from the second backward.
    const softplus = customOp({ name: 'softplus', forward: (x) => x.exp().add(1).log(), backward: (g, { inputs: [x] }) => [g.mul(x.detach().sigmoid())] });
    const op = defineOp({ name: 'softplus', inputs: { x: [8] }, forward: ({ x }) => softplus(x).sum() });
    expect(checkOp(op).status).toBe('pass');
    const report = checkOp(op, { order: 2 });
    expect(report.status).toBe('fail');
    expect(report.order).toBe(2);
    expect(report.diagnoses.map((d) => d.code)).toContain('detached');
  });

  it('reports a first-order failure as such, and explains that engines cannot do order 2', () => {
    const wrong = defineOp({ name: 'wrong', inputs: { x: [4] }, forward: ({ x }) => customOp({ name: 'sq', forward: (t) => t.mul(t), backward: (g, { inputs: [t] }) => [g.mul(t)] })(x).sum() });
    const first = checkOp(wrong, { order: 2 });
    expect(first.status).toBe('fail');
    expect(first.order).toBeUndefined();
    const engine = defineOp({ name: 'engine', inputs: { x: [3] }, evaluate: ({ x }) => x, vjp: (_x, g) => ({ x: g }) });
    const report = checkOp(engine, { order: 2 });
    expect(report.status).toBe('error');
    expect(report.error).toMatch(/--order 2 needs an op with `forward`/);
  });
});

describe('--mode', () => {
  const bigMatmul = defineOp({ name: 'sum(matmul 64×64 @ 64×64)', inputs: { a: [64, 64], b: [64, 64] }, forward: ({ a, b }) => a.matmul(b).sum() });

  it('auto goes fast for sum(matmul 64×64 @ 64×64), with a handful of evaluations, and passes', () => {
    const report = checkOp(bigMatmul);
    expect(report.mode).toBe('fast');
    expect(report.status).toBe('pass');
    expect(report.evaluations).toBeLessThan(100);
  });

  it('auto stays element-wise for a small op', () => {
    expect(checkOp(sigmoid).mode).toBe('element-wise');
  });

  it('fast falls back to element-wise on failure, so the report still names the bug and the elements', () => {
    const transposedMatmul = customOp({
      name: 'matmul',
      forward: (x, w) => x.matmul(w),
      backward: (g, { inputs: [x, w] }) => [g.matmul(w.transpose()), g.transpose().matmul(x)],
    });
    const op = defineOp({ name: 'transposed', inputs: { x: [5, 5], w: [5, 5] }, forward: ({ x, w }) => transposedMatmul(x, w) });
    const report = checkOp(op, { mode: 'fast' });
    expect(report.mode).toBe('fast-then-element-wise');
    expect(report.status).toBe('fail');
    expect(report.diagnoses.map((d) => d.code)).toEqual(['transposed']);
    expect(report.inputs[1].worst.index).toHaveLength(2);
  });

  it('fast catches a 0.1% error in one element of a 4096-element input, then names it element-wise', () => {
    const matmulOneOff = customOp({
      name: 'matmul, one element of dX 0.1% off',
      forward: (x, w) => x.matmul(w),
      backward: (g, { inputs: [x, w] }) => {
        const dx = g.matmul(w.transpose());
        dx.data[1000] *= 1.001; // element [15, 40]
        return [dx, x.transpose().matmul(g)];
      },
    });
    const op = defineOp({ name: 'large', inputs: { x: [64, 64], w: [64, 2] }, forward: ({ x, w }) => matmulOneOff(x, w) });
    const report = checkOp(op, { mode: 'fast' });
    expect(report.mode).toBe('fast-then-element-wise');
    expect(report.status).toBe('fail');
    expect(report.inputs.map((r) => r.passed)).toEqual([false, true]);
    expect(report.inputs[0].worst.index).toEqual([15, 40]);
    expect(report.diagnoses.map((d) => d.code)).toEqual(['scaled']);
  });

  it('fast makes the same number of evaluations whatever the inputs\' sizes, and uses one backward for a scalar output', () => {
    const evaluations = (n: number) => {
      const op = defineOp({ name: `tanh·w ${n}`, inputs: { x: [n], w: [n] }, forward: ({ x, w }) => x.tanh().mul(w).sum() });
      const report = checkOp(op, { mode: 'fast' });
      expect(report.status).toBe('pass');
      expect(report.mode).toBe('fast');
      return report.evaluations;
    };
    const small = evaluations(4);
    expect(small).toBeLessThanOrEqual(10);
    expect(evaluations(4096)).toBe(small);
    expect(evaluations(65536)).toBe(small);
  });

  it('auto picks by input size alone outside 1024–4096 elements, so the choice is the same on every machine', () => {
    const op = (n: number) => defineOp({ name: `tanh ${n}`, inputs: { x: [n] }, forward: ({ x }) => x.tanh().sum() });
    expect(checkOp(op(1024)).mode).toBe('element-wise');
    expect(checkOp(op(4096)).mode).toBe('fast');
  });

  it('fast passes correct ops, including one with a zero gradient', () => {
    const op = defineOp({ name: 'zero and tanh', inputs: { x: [6], w: [6] }, forward: ({ x, w }) => x.mul(0).add(w.tanh()).sum() });
    for (const o of [op, sigmoid]) {
      const report = checkOp(o, { mode: 'fast' });
      expect(report.status, o.name).toBe('pass');
      expect(report.mode).toBe('fast');
    }
  });
});

describe('a fast-mode failure too large to re-check element by element', () => {
  // x [64, 128] and w [128, 128]: 24,576 elements, 49,152 evaluations element-wise; localized in ~30.
  const linearWith = (weightGradient: (x: Tensor, g: Tensor, w: Tensor) => Tensor | null) =>
    defineOp({
      name: 'linear',
      inputs: { x: [64, 128], w: [128, 128] },
      forward: ({ x, w }) =>
        customOp({
          name: 'linear',
          forward: (a, b) => a.matmul(b),
          backward: (g, { inputs: [a, b] }) => [g.matmul(b.transpose()), weightGradient(a, g, b)],
        })(x, w).tanh().sum(),
    });

  it('names the input and the factor when one input is off by a constant', () => {
    expect(64 * 128 + 128 * 128).toBeGreaterThan(ELEMENT_WISE_FALLBACK_LIMIT);
    const report = checkOp(linearWith((x, g) => x.transpose().matmul(g).mul(1.001)));
    expect(report.mode).toBe('fast-then-directional');
    expect(report.status).toBe('fail');
    expect(report.inputs.map((r) => r.passed)).toEqual([true, false]);
    expect(report.diagnoses.map((d) => [d.code, d.input])).toEqual([['scaled', 'w']]);
    expect(report.diagnoses[0].message).toContain('0.10% too large (analytic/numeric = 1.00100 along both)');
    expect(report.evaluations).toBeLessThan(100);
  });

  it('tells a flipped sign and a detached input from a plain mismatch', () => {
    const codes = (weightGradient: (x: Tensor, g: Tensor, w: Tensor) => Tensor | null) => checkOp(linearWith(weightGradient)).diagnoses.map((d) => d.code);
    expect(codes((x, g) => x.transpose().matmul(g).neg())).toEqual(['sign-flipped']);
    expect(codes((_x, _g, w) => w.mul(0))).toEqual(['detached']);
    // The classic square-weight bug, dW = (Xᵀ dY)ᵀ: the same shape, a different gradient.
    const transposed = checkOp(linearWith((x, g) => x.transpose().matmul(g).transpose()));
    expect(transposed.diagnoses.map((d) => d.code)).toEqual(['mismatch']);
    expect(transposed.diagnoses[0].message).toContain('--mode element-wise');
  });

  it('passes a correct op as fast mode does, never reaching the fallback', () => {
    const report = checkOp(linearWith((x, g) => x.transpose().matmul(g)));
    expect(report.mode).toBe('fast');
    expect(report.status).toBe('pass');
  });
});
