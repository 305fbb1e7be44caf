// The tensor ops of test/core/ops-cases.ts against finite differences, without torch: first-order
// gradients against centered differences of the loss, and Hessian-vector products (the backward
// recorded with createGraph, differentiated again) against centered differences of the first-order
// gradient. Then the tie and edge rules each op documents, checked on values chosen by hand.
import { describe, expect, it } from 'vitest';
import { Tensor, concat, stack, tensor, where } from '../../src/core/index.ts';
import { CASES, derivatives, evaluate, leavesOf, lossOf, weightsOf, type OpCase } from './ops-cases.ts';

const EPS = 1e-6;
const TOL = 1e-6;

function relativeError(a: number, b: number): number {
  // Below magnitude 1 this is an absolute error, so tiny gradients do not blow it up.
  return Math.abs(a - b) / Math.max(1, Math.abs(a), Math.abs(b));
}

function centeredDifference(f: () => number, x: Tensor, i: number): number {
  const orig = x.data[i];
  x.data[i] = orig + EPS;
  const plus = f();
  x.data[i] = orig - EPS;
  const minus = f();
  x.data[i] = orig;
  return (plus - minus) / (2 * EPS);
}

/** Σ_k gradient_k · weights_k at the leaves' current values, by a plain (first-order) backward. */
function weightedGradient(c: OpCase, leaves: Tensor[], weights: number[][]): number {
  leaves.forEach((leaf) => leaf.zeroGrad());
  const out = evaluate(c.expr, leaves) as Tensor;
  out.mul(new Tensor(Float64Array.from(out.data.map((_, i) => Math.cos(i + 1))), out.shape)).sum().backward();
  let total = 0;
  leaves.forEach((leaf, k) => {
    if (leaf.grad) for (let i = 0; i < leaf.size; i++) total += leaf.grad.data[i] * weights[k][i];
  });
  return total;
}

describe('every case against finite differences', () => {
  const smooth = CASES.filter((c) => !c.atKinks);
  it.each(smooth.map((c) => [c.name, c] as const))('%s: gradients and Hessian-vector products', (_, c) => {
    const { gradients, hvps } = derivatives(c);
    const leaves = leavesOf(c);
    const weights = weightsOf(c);
    leaves.forEach((leaf, k) => {
      if (!leaf.requiresGrad) return;
      for (let i = 0; i < leaf.size; i++) {
        const first = centeredDifference(() => lossOf(c, leaves), leaf, i);
        if (relativeError(gradients[k][i], first) > TOL) throw new Error(`input ${k} [${i}]: gradient ${gradients[k][i]} vs numeric ${first}`);
        const second = centeredDifference(() => weightedGradient(c, leaves, weights), leaf, i);
        if (relativeError(hvps[k][i], second) > TOL) throw new Error(`input ${k} [${i}]: Hessian-vector product ${hvps[k][i]} vs numeric ${second}`);
      }
    });
  });
});

/** The gradient of sum(f(x) · seed) (seed defaults to ones) with respect to x. */
function gradientOf(f: (x: Tensor) => Tensor, values: number[] | number[][], seed?: Tensor): number[] | number[][] {
  const x = tensor(values).requireGrad();
  const out = f(x);
  out.mul(seed ?? new Tensor(new Float64Array(out.size).fill(1), out.shape)).sum().backward();
  return x.grad!.toArray() as number[];
}

describe('ties and kinks', () => {
  it('min sends the gradient to the first minimum, as max does to the first maximum', () => {
    expect(gradientOf((x) => x.min(1), [[2, 1, 1], [0, 3, 0]])).toEqual([[0, 1, 0], [1, 0, 0]]);
    expect(gradientOf((x) => x.min(), [3, 1, 2, 1])).toEqual([0, 1, 0, 0]);
  });

  it('maximum and minimum split a tie: each side gets half, so the two gradients always add up to g', () => {
    const a = tensor([1, 2, 3]).requireGrad();
    const b = tensor([1, 5, 0]).requireGrad();
    a.maximum(b).sum().backward();
    expect(a.grad!.toArray()).toEqual([0.5, 0, 1]);
    expect(b.grad!.toArray()).toEqual([0.5, 1, 0]);
    a.zeroGrad();
    b.zeroGrad();
    a.minimum(b).sum().backward();
    expect(a.grad!.toArray()).toEqual([0.5, 1, 0]);
    expect(b.grad!.toArray()).toEqual([0.5, 0, 1]);
  });

  it('maximum against a broadcast operand sums its shares', () => {
    const a = tensor([[1, 2], [0, 3]]).requireGrad();
    const b = tensor([2]).requireGrad();
    a.maximum(b).sum().backward();
    expect(a.grad!.toArray()).toEqual([[0, 0.5], [0, 1]]);
    expect(b.grad!.toArray()).toEqual([2.5]);
  });

  it('clamp passes the gradient on its bounds and inside, not outside', () => {
    expect(gradientOf((x) => x.clamp(-1, 1), [-2, -1, 0, 1, 2])).toEqual([0, 1, 1, 1, 0]);
    expect(gradientOf((x) => x.clamp(0), [-1, 0, 1])).toEqual([0, 1, 1]);
    expect(gradientOf((x) => x.clamp(undefined, 0), [-1, 0, 1])).toEqual([1, 1, 0]);
    expect(gradientOf((x) => x.clamp(1, -1), [-2, 0, 2])).toEqual([0, 0, 0]);
  });

  it('sign has gradient 0 everywhere, 0 included, as a tensor of zeros', () => {
    expect(gradientOf((x) => x.sign(), [-1, 0, 2])).toEqual([0, 0, 0]);
  });

  it('sort and topk are stable: tied values keep their order, and their gradients follow it', () => {
    const seed = tensor([10, 20, 30, 40]);
    expect(gradientOf((x) => x.sort(), [2, 1, 2, 1], seed)).toEqual([30, 10, 40, 20]);
    expect(gradientOf((x) => x.sort(0, true), [2, 1, 2, 1], seed)).toEqual([10, 30, 20, 40]);
    expect(gradientOf((x) => x.topk(1), [1, 3, 3, 2], tensor([5]))).toEqual([0, 5, 0, 0]);
    expect(gradientOf((x) => x.topk(2, 0, false), [1, 3, 1, 2], tensor([5, 7]))).toEqual([5, 0, 7, 0]);
  });

  it('where gives each branch the gradient where it was chosen, and none to the condition', () => {
    const a = tensor([1, 2, 3]).requireGrad();
    const b = tensor([4]).requireGrad();
    const cond = tensor([1, 0, 1]).requireGrad();
    where(cond, a, b).mul(tensor([1, 2, 3])).sum().backward();
    expect(a.grad!.toArray()).toEqual([1, 0, 3]);
    expect(b.grad!.toArray()).toEqual([2]);
    expect(cond.grad).toBeNull();
  });

  it('cumprod with zeros: the first zero gets the products around it, later positions nothing', () => {
    // y = [2, 0, 0, 0]: d/dx1 = g1·2 + g2·2·3 + g3·2·3·4; x2 and x3 come after the zero.
    expect(gradientOf((x) => x.cumprod(0), [2, 0, 3, 4])).toEqual([1, 2 + 6 + 24, 0, 0]);
    expect(gradientOf((x) => x.cumprod(0), [0, 0, 5])).toEqual([1, 0, 0]);
  });
});

describe('values at the edges', () => {
  it('logsumexp does not overflow or turn ±∞ into NaN', () => {
    expect(tensor([1000, 1000]).logsumexp().item()).toBe(1000 + Math.log(2));
    expect(tensor([[-1000, -1000]]).logsumexp(1).toArray()).toEqual([-1000 + Math.log(2)]);
    expect(tensor([-Infinity, -Infinity]).logsumexp().item()).toBe(-Infinity);
    expect(tensor([Infinity, 1]).logsumexp().item()).toBe(Infinity);
    expect(tensor([-Infinity, 0]).logsumexp().item()).toBe(0);
    // The gradient is softmax(x), finite: 800 + log 3 is itself rounded, hence 1e-12 and not exact.
    const [a, b] = gradientOf((x) => x.logsumexp(), [800, 800 + Math.log(3)]) as number[];
    expect(a).toBeCloseTo(0.25, 12);
    expect(b).toBeCloseTo(0.75, 12);
  });

  it('erf matches known values and its limits', () => {
    const xs = [0, 0.5, 1, 1.5, 2, 3, -0.25, 1e-10, 4.5, 6, 40, Infinity, -Infinity];
    const expected = [
      0, 0.5204998778130465, 0.8427007929497149, 0.9661051464753108, 0.9953222650189527, 0.9999779095030014,
      -0.27632639016823696, 1.1283791670955126e-10, 0.9999999998033839, 1, 1, 1, -1,
    ];
    const got = Array.from(tensor(xs).erf().data);
    got.forEach((v, i) => expect(Math.abs(v - expected[i]), `erf(${xs[i]})`).toBeLessThanOrEqual(Math.abs(expected[i]) * 2.3e-16));
    expect(Object.is(tensor([-0]).erf().item(), -0)).toBe(true);
    expect(tensor([NaN]).erf().item()).toBeNaN();
  });

  it('maximum, minimum and clamp keep NaN; sort puts NaN last (first when descending)', () => {
    expect(tensor([NaN, 1]).maximum(tensor([0, NaN])).toArray()).toEqual([NaN, NaN]);
    expect(tensor([NaN, 1]).minimum(0).toArray()).toEqual([NaN, 0]);
    expect(tensor([NaN, 2]).clamp(0, 1).toArray()).toEqual([NaN, 1]);
    expect(tensor([2, NaN, -1]).sort().toArray()).toEqual([-1, 2, NaN]);
    expect(tensor([2, NaN, -1]).sort(0, true).toArray()).toEqual([NaN, 2, -1]);
    expect(tensor([2, NaN, -1]).topk(1).toArray()).toEqual([NaN]);
  });

  it('tan, log1p and expm1 are accurate where their composites would not be', () => {
    expect(tensor([1.5707963267948966]).tan().item()).toBe(Math.tan(1.5707963267948966));
    expect(tensor([1e-20]).log1p().item()).toBe(1e-20);
    expect(tensor([1e-20]).expm1().item()).toBe(1e-20);
  });

  it('computes the documented values', () => {
    const x = tensor([[3, 1, 2], [0, 5, -1]]);
    expect(x.cumsum(1).toArray()).toEqual([[3, 4, 6], [0, 5, 4]]);
    expect(x.cumprod(0).toArray()).toEqual([[3, 1, 2], [0, 5, -2]]);
    expect(x.min(0).toArray()).toEqual([0, 1, -1]);
    expect(x.min(-1, true).toArray()).toEqual([[1], [-1]]);
    expect(x.narrow(1, -2, 2).toArray()).toEqual([[1, 2], [5, -1]]);
    expect(x.pad([[1, 0], [0, 1]], 9).toArray()).toEqual([[9, 9, 9, 9], [3, 1, 2, 9], [0, 5, -1, 9]]);
    expect(x.flip(-1).toArray()).toEqual([[2, 1, 3], [-1, 5, 0]]);
    expect(x.flip([0, 1]).toArray()).toEqual([[-1, 5, 0], [2, 1, 3]]);
    expect(concat([x, x.narrow(0, 0, 1)]).toArray()).toEqual([[3, 1, 2], [0, 5, -1], [3, 1, 2]]);
    expect(stack([x, x], 1).shape).toEqual([2, 2, 3]);
    expect(x.split(2, 1).map((t) => t.toArray())).toEqual([[[3, 1], [0, 5]], [[2], [-1]]]);
    expect(x.split([1, 0, 2], -1).map((t) => t.shape)).toEqual([[2, 1], [2, 0], [2, 2]]);
    expect(x.unsqueeze(0).shape).toEqual([1, 2, 3]);
    expect(x.unsqueeze(-1).shape).toEqual([2, 3, 1]);
    expect(tensor([[[1], [2]]]).squeeze().toArray()).toEqual([1, 2]);
    expect(tensor([[[1], [2]]]).squeeze(1).shape).toEqual([1, 2, 1]);
    expect(x.sort(-1).toArray()).toEqual([[1, 2, 3], [-1, 0, 5]]);
    expect(x.sort(0, true).toArray()).toEqual([[3, 5, 2], [0, 1, -1]]);
    expect(x.topk(2).toArray()).toEqual([[3, 2], [5, 0]]);
    expect(x.clamp(0, 2).toArray()).toEqual([[2, 1, 2], [0, 2, 0]]);
    expect(where(x.sign(), x, -7).toArray()).toEqual([[3, 1, 2], [-7, 5, -1]]);
    expect(x.sign().toArray()).toEqual([[1, 1, 1], [0, 1, -1]]);
  });
});
