import { describe, expect, it } from 'vitest';
import {
  GradientCountError, GradientShapeError, Tensor, broadcastShapes, crossEntropy, customOp, isGradEnabled,
  noGrad, ones, sumToShape, tensor, zeros,
  type CustomOpSpec,
} from '../../src/core/index.ts';

describe('construction', () => {
  it('infers shapes from nested arrays and validates flat data', () => {
    expect(tensor([[1, 2, 3], [4, 5, 6]]).shape).toEqual([2, 3]);
    expect(tensor(5).shape).toEqual([]);
    expect(tensor(5).toArray()).toBe(5);
    expect(tensor([1, 2, 3, 4, 5, 6], [3, 2]).toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(tensor(new Float64Array([1, 2])).shape).toEqual([2]);
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow('tensor: 3 values cannot have shape [2, 2] (size 4)');
    expect(() => tensor([[1, 2], [3]])).toThrow(/ragged/);
    expect(zeros([2]).toArray()).toEqual([0, 0]);
    expect(ones([]).item()).toBe(1);
    expect(() => ones([2]).item()).toThrow(/item/);
  });
});

describe('forward values and shape errors', () => {
  it('computes the documented shapes and values', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(x.sum(0).toArray()).toEqual([5, 7, 9]);
    expect(x.sum(-1, true).toArray()).toEqual([[6], [15]]);
    expect(x.mean().item()).toBe(3.5);
    expect(x.max(0).toArray()).toEqual([4, 5, 6]);
    expect(x.transpose().shape).toEqual([3, 2]);
    expect(x.reshape([3, -1]).shape).toEqual([3, 2]);
    expect(x.matmul(tensor([[1], [0], [1]])).toArray()).toEqual([[4], [10]]);
    expect(tensor([1, 2]).matmul(tensor([3, 4])).item()).toBe(11);
    expect(x.add(tensor([[10], [20]])).toArray()).toEqual([[11, 12, 13], [24, 25, 26]]);
    const big = tensor([1000, 1001, 1002]);
    expect(big.softmax().sum().item()).toBeCloseTo(1, 12);
    expect(Number.isFinite(big.logSoftmax().sum().item())).toBe(true);
    expect(crossEntropy(tensor([[0, 0], [0, 0]]), [0, 1]).item()).toBeCloseTo(Math.log(2), 12);
  });

  it('names the op and both shapes', () => {
    const a = zeros([2, 3]);
    expect(() => a.mul(zeros([4]))).toThrow('mul: cannot broadcast shapes [2, 3] and [4]');
    expect(() => a.sub(zeros([4]))).toThrow('sub: cannot broadcast shapes [2, 3] and [4]');
    expect(() => a.matmul(zeros([4, 5]))).toThrow('matmul: inner dimensions differ: [2, 3] @ [4, 5]');
    expect(() => broadcastShapes([2, 3], [4])).toThrow(/\[2, 3\] and \[4\]/);
    expect(() => a.reshape([4, -1])).toThrow('reshape: cannot reshape [2, 3] (size 6) into [4, -1]');
    expect(() => a.sum(2)).toThrow('sum: axis 2 is out of range for shape [2, 3]');
    expect(() => a.transpose([0, 0])).toThrow(/transpose/);
    expect(() => crossEntropy(a, [0, 3])).toThrow(/target 3 at row 1/);
  });

  it('broadcastShapes and sumToShape', () => {
    expect(broadcastShapes([2, 1], [1, 3])).toEqual([2, 3]);
    expect(broadcastShapes([], [4, 1])).toEqual([4, 1]);
    const g = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(sumToShape(g, [3]).toArray()).toEqual([5, 7, 9]);
    expect(sumToShape(g, [2, 1]).toArray()).toEqual([[6], [15]]);
    expect(sumToShape(g, []).item()).toBe(21);
    expect(() => sumToShape(g, [2])).toThrow('sumToShape: cannot reduce shape [2, 3] to [2]');
  });
});

describe('tape', () => {
  it('records op names and parents', () => {
    const x = tensor([1, 2]).requireGrad();
    const y = x.mul(2);
    expect(x.op).toBe('leaf');
    expect(y.op).toBe('mul');
    expect(y.parents[0]).toBe(x);
    expect(y.requiresGrad).toBe(true);
  });

  it('accumulates leaf gradients across backward calls and zeroGrad clears them', () => {
    const x = tensor([1, 2, 3]).requireGrad();
    x.mul(x).sum().backward();
    x.mul(x).sum().backward();
    expect(x.grad!.toArray()).toEqual([4, 8, 12]);
    x.zeroGrad();
    expect(x.grad).toBeNull();
  });

  it('does not store gradients on intermediate nodes', () => {
    const x = tensor([1, 2]).requireGrad();
    const h = x.exp();
    h.sum().backward();
    expect(h.grad).toBeNull();
  });

  it('noGrad records nothing and restores the mode even on throw', () => {
    const x = tensor([1, 2]).requireGrad();
    const y = noGrad(() => x.mul(3).exp());
    expect(y.requiresGrad).toBe(false);
    expect(y.op).toBe('leaf');
    expect(y.parents).toEqual([]);
    expect(() => y.sum().backward()).toThrow(/does not require grad/);
    expect(() => noGrad(() => { throw new Error('boom'); })).toThrow('boom');
    expect(isGradEnabled()).toBe(true);
  });

  it('detach stops the gradient and copies the data', () => {
    const x = tensor([1, 2]).requireGrad();
    const d = x.detach();
    expect(d.requiresGrad).toBe(false);
    d.data[0] = 99;
    expect(x.data[0]).toBe(1);
    x.mul(x.detach()).sum().backward();
    expect(x.grad!.toArray()).toEqual([1, 2]);
  });

  it('needs an explicit gradient for non-scalar outputs', () => {
    const x = tensor([1, 2]).requireGrad();
    expect(() => x.mul(2).backward()).toThrow(/non-scalar output of shape \[2\]/);
    x.mul(2).backward(tensor([1, 10]));
    expect(x.grad!.toArray()).toEqual([2, 20]);
    expect(() => x.mul(2).backward(tensor([1]))).toThrow(/does not match/);
  });
});

describe('customOp', () => {
  const scaleAdd = (backward: CustomOpSpec['backward']) =>
    customOp({ name: 'scaleAdd', forward: (x, y) => x.mul(2).add(y), backward, inputNames: ['x', 'y'] });

  it('happy path: forward is unrecorded, backward feeds the inputs', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]).requireGrad();
    const y = tensor([1, 1, 1]).requireGrad();
    const op = scaleAdd((g) => [g.mul(2), sumToShape(g, [3])]);
    const out = op(x, y);
    expect(out.op).toBe('scaleAdd');
    expect(out.parents).toEqual([x, y]);
    expect(out.toArray()).toEqual([[3, 5, 7], [9, 11, 13]]);
    out.sum().backward();
    expect(x.grad!.toArray()).toEqual([[2, 2, 2], [2, 2, 2]]);
    expect(y.grad!.toArray()).toEqual([2, 2, 2]);
  });

  it('null means no gradient; an identity forward does not alias its input', () => {
    const x = tensor([1, 2]).requireGrad();
    const id = customOp({ name: 'id', forward: (t) => t, backward: () => [null] });
    const out = id(x);
    expect(out).not.toBe(x);
    expect(x.op).toBe('leaf');
    out.sum().backward();
    expect(x.grad).toBeNull();
  });

  it('GradientShapeError names the op, the input and both shapes', () => {
    const softplus = customOp({
      name: 'softplus',
      forward: (x) => x.exp().add(1).log(),
      backward: (g) => [g.transpose()],
      inputNames: ['x'],
    });
    const x = zeros([2, 3]).requireGrad();
    let err: unknown;
    try {
      softplus(x).sum().backward();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GradientShapeError);
    const e = err as GradientShapeError;
    expect(e.message).toBe("customOp 'softplus': backward returned a gradient of shape [3, 2] for input 'x', which has shape [2, 3]");
    expect([e.op, e.input, e.inputIndex, e.expected, e.actual]).toEqual(['softplus', 'x', 0, [2, 3], [3, 2]]);
  });

  it('GradientShapeError names inputs as the forward names its parameters, and also checks inputs that need no gradient', () => {
    const op = customOp({ name: 'f', forward: (a, b) => a.add(b), backward: (g) => [g, g] });
    const a = zeros([2, 3]).requireGrad();
    expect(() => op(a, zeros([3])).sum().backward()).toThrow(
      "customOp 'f': backward returned a gradient of shape [2, 3] for input 'b', which has shape [3]",
    );
    // A forward whose parameters have no plain names (rest, destructuring): inputs by position.
    const rest = customOp({ name: 'g', forward: (...xs) => xs[0].add(xs[1]), backward: (g) => [g, g] });
    expect(() => rest(a, zeros([3])).sum().backward()).toThrow("for input 'input 1', which has shape [3]");
  });

  it('GradientCountError for too few or too many gradients', () => {
    const x = zeros([2]).requireGrad();
    const y = zeros([2]).requireGrad();
    const tooFew = scaleAdd((g) => [g]);
    expect(() => tooFew(x, y).sum().backward()).toThrow(GradientCountError);
    try {
      scaleAdd((g) => [g, g, g])(x, y).sum().backward();
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(GradientCountError);
      const err = e as GradientCountError;
      expect([err.op, err.expected, err.actual]).toEqual(['scaleAdd', 2, 3]);
      expect(err.message).toMatch(/customOp 'scaleAdd': backward returned 3 gradients for 2 inputs/);
    }
  });

  it('rejects a forward that does not return a Tensor', () => {
    const bad = customOp({ name: 'bad', forward: () => 3 as unknown as Tensor, backward: () => [] });
    expect(() => bad(zeros([1]))).toThrow("customOp 'bad': forward must return a Tensor");
  });
});

describe('customOp with several outputs', () => {
  const seen: { grads: (Tensor | null)[]; outputs: number }[] = [];
  const sumAndProduct = customOp({
    name: 'sum and product',
    forward: (a: Tensor, b: Tensor) => [a.add(b), a.mul(b)],
    backward: (grads, { inputs: [a, b], output }) => {
      seen.push({ grads, outputs: output.length });
      const [ds, dp] = grads.map((g) => g ?? a.mul(0));
      return [ds.add(dp.mul(b)), ds.add(dp.mul(a))];
    },
  });

  it('hands backward one gradient per output, null for an output nothing used, and the outputs as an array', () => {
    const a = tensor([1, 2]).requireGrad();
    const b = tensor([3, 4]).requireGrad();
    seen.length = 0;
    const [s, p] = sumAndProduct(a, b);
    expect(s.toArray()).toEqual([4, 6]);
    expect(p.toArray()).toEqual([3, 8]);
    p.sum().backward();
    expect(seen).toHaveLength(1);
    expect(seen[0].grads[0]).toBeNull();
    expect(seen[0].grads[1]!.toArray()).toEqual([1, 1]);
    expect(seen[0].outputs).toBe(2);
    expect(a.grad!.toArray()).toEqual([3, 4]);
    a.zeroGrad();
    b.zeroGrad();
    // Both used, one of them twice: one backward call, each output's gradients summed.
    const [s2, p2] = sumAndProduct(a, b);
    s2.add(s2).add(p2).sum().backward();
    expect(seen).toHaveLength(2);
    expect(seen[1].grads.map((g) => g!.toArray())).toEqual([[2, 2], [1, 1]]);
    expect(a.grad!.toArray()).toEqual([2 + 3, 2 + 4]);
  });

  it('differentiates a backward written in tensor ops again (order 2)', () => {
    const a = tensor([1.5]).requireGrad();
    const b = tensor([2]).requireGrad();
    const [, p] = sumAndProduct(a, b);
    p.sum().backward(undefined, { createGraph: true });
    const da = a.grad!;
    a.zeroGrad();
    b.zeroGrad();
    da.sum().backward();
    // d(∂p/∂a)/∂b = d(b)/∂b = 1.
    expect(b.grad!.toArray()).toEqual([1]);
  });

  it('names the output that is not a Tensor', () => {
    const bad = customOp({ name: 'bad', forward: (a: Tensor) => [a, 3 as unknown as Tensor], backward: () => [null] });
    expect(() => bad(tensor([1]).requireGrad())).toThrow("customOp 'bad': forward must return a Tensor at output 1, got number");
  });
});
