// gradcheck/torch-like on a tiny PyTorch-like engine written here (leaves with requiresGrad, a tape,
// backward(cotangent), .grad): the four functions of the engine are all it takes, a correct op passes
// and a backward 0.1% off fails.
import { describe, expect, it } from 'vitest';
import { gradcheck } from '../../src/api.ts';
import { formatReportPlain } from '../../src/adapters/matchers.ts';
import { nested, torchLikeOp } from '../../src/adapters/torch-like.ts';
import type { TorchLikeEngine } from '../../src/adapters/torch-like.ts';

/** A tensor of the tiny engine: flat values, a shape, and the backward that made it. */
class Tiny {
  grad: Float64Array | null = null;
  constructor(
    readonly data: Float64Array,
    readonly shape: number[],
    readonly requiresGrad: boolean,
    readonly parents: Tiny[] = [],
    readonly backwardFn: (grad: Float64Array) => Float64Array[] = () => [],
  ) {}

  backward(seed: Tiny): void {
    const order: Tiny[] = [];
    const seen = new Set<Tiny>();
    const visit = (node: Tiny) => {
      if (seen.has(node)) return;
      seen.add(node);
      node.parents.forEach(visit);
      order.push(node);
    };
    visit(this);
    const grads = new Map<Tiny, Float64Array>([[this, seed.data]]);
    for (const node of order.reverse()) {
      const grad = grads.get(node);
      if (!grad) continue;
      if (node.parents.length === 0) node.grad = grad;
      node.backwardFn(grad).forEach((g, i) => {
        const parent = node.parents[i];
        if (!parent.requiresGrad) return;
        const sum = grads.get(parent) ?? new Float64Array(g.length);
        grads.set(parent, sum.map((v, k) => v + g[k]));
      });
    }
  }
}

const op = (a: Tiny, b: Tiny[], data: Float64Array, backwardFn: (grad: Float64Array) => Float64Array[]) =>
  new Tiny(data, a.shape, b.some((t) => t.requiresGrad), b, backwardFn);
/** Elementwise product; `slip` scales its backward (1 for the right one). */
const mul = (a: Tiny, b: Tiny, slip = 1) =>
  op(a, [a, b], a.data.map((v, i) => v * b.data[i]), (g) => [g.map((v, i) => slip * v * b.data[i]), g.map((v, i) => slip * v * a.data[i])]);
const sin = (a: Tiny) => op(a, [a], a.data.map(Math.sin), (g) => [g.map((v, i) => v * Math.cos(a.data[i]))]);

/** The whole adapter of the tiny engine: four functions. */
const engine: TorchLikeEngine<Tiny> = {
  tensor: (values, shape, requiresGrad) => new Tiny(Float64Array.from(values), [...shape], requiresGrad),
  read: (tensor) => ({ values: tensor.data, shape: tensor.shape }),
  backward: (output, cotangent) => output.backward(cotangent),
  gradient: (leaf) => leaf.grad,
};

describe('torchLikeOp', () => {
  it('passes a correct op of the engine', async () => {
    const report = await gradcheck(torchLikeOp(engine, { name: 'sin(a)·b', inputs: { a: [2, 3], b: [2, 3] }, forward: ({ a, b }) => mul(sin(a), b) }));
    expect(report.status, formatReportPlain(report)).toBe('pass');
    expect(report.inputs.map((input) => [input.name, input.shape, input.passed])).toEqual([
      ['a', [2, 3], true],
      ['b', [2, 3], true],
    ]);
  });

  it('fails a backward 0.1% off, on both inputs, by about 1e-3', async () => {
    const report = await gradcheck(torchLikeOp(engine, { name: 'a·b, 0.1% off', inputs: { a: [2, 3], b: [2, 3] }, forward: ({ a, b }) => mul(a, b, 1.001) }));
    expect(report.status).toBe('fail');
    expect(report.inputs.map((input) => input.passed)).toEqual([false, false]);
    expect(report.maxRelErr).toBeGreaterThan(5e-4);
    expect(report.maxRelErr).toBeLessThan(2e-3);
    expect(formatReportPlain(report)).toMatch(/a·b, 0\.1% off/);
  });

  it('a constant input is a leaf without gradient; an input the output never reaches gets zeros', async () => {
    const made: boolean[] = [];
    const tracking: TorchLikeEngine<Tiny> = { ...engine, tensor: (values, shape, requiresGrad) => (made.push(requiresGrad), engine.tensor(values, shape, requiresGrad)) };
    const report = await gradcheck(
      torchLikeOp(tracking, {
        name: 'masked, one input unused',
        inputs: { x: [4], mask: { shape: [4], values: [1, 0, 1, 0], grad: false }, unused: [2] },
        forward: ({ x, mask }) => mul(sin(x), mask),
      }),
    );
    expect(report.status, formatReportPlain(report)).toBe('pass');
    expect(report.inputs.map((input) => [input.name, input.constant ?? false, input.passed])).toEqual([
      ['x', false, true],
      ['mask', true, true],
      ['unused', false, true],
    ]);
    // Leaves in input order, three per evaluation, the mask never tracked (the cotangent is the fourth of a backward).
    expect(made.slice(0, 3)).toEqual([true, false, true]);
  });

  it('a forward that draws Math.random (a dropout mask) draws the same numbers in every evaluation, and Math.random is put back', async () => {
    const native = Math.random;
    const dropout = (x: Tiny) => mul(x, new Tiny(x.data.map(() => (Math.random() < 0.5 ? 0 : 2)), x.shape, false));
    const seeded = await gradcheck(torchLikeOp(engine, { name: 'dropout(sin x)', inputs: { x: [3, 4] }, forward: ({ x }) => dropout(sin(x)) }));
    expect(seeded.status, formatReportPlain(seeded)).toBe('pass');
    expect(seeded.diagnoses.map((d) => d.code)).toEqual(['replayed-random']);
    expect(Math.random).toBe(native);
    const unseeded = await gradcheck(torchLikeOp(engine, { name: 'dropout(sin x), unseeded', inputs: { x: [3, 4] }, forward: ({ x }) => dropout(sin(x)) }), { replayRandom: false });
    expect(unseeded.status).not.toBe('pass');
  });

  it('nested: flat row-major values as nested arrays, a number for a scalar', () => {
    expect(nested([1, 2, 3, 4, 5, 6], [2, 3])).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(nested([1, 2], [2, 1, 1])).toEqual([[[1]], [[2]]]);
    expect(nested([7], [])).toBe(7);
  });
});
