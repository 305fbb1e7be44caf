// Laws the tensor ops obey for every input (fast-check), and the messages their argument and shape
// errors give.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ShapeError, Tensor, concat, stack, tensor, where, zeros } from '../../src/core/index.ts';

const RUNS = { numRuns: 100 };

/** A shape of 1 to 3 axes of 1 to 4, with seeded values in [-2, 2] (small integers give ties too). */
const arbTensor = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }).chain((shape) => {
  const size = shape.reduce((a, b) => a * b, 1);
  const value = fc.oneof(fc.double({ min: -2, max: 2, noNaN: true }), fc.integer({ min: -2, max: 2 }));
  return fc.array(value, { minLength: size, maxLength: size }).map((data) => tensor(data, shape));
});

const withAxis = arbTensor.chain((x) => fc.tuple(fc.constant(x), fc.integer({ min: -x.shape.length, max: x.shape.length - 1 })));

const axisOf = (x: Tensor, axis: number) => (axis < 0 ? axis + x.shape.length : axis);

/** Same shape and values (−0 and 0 count as equal, as ==, not Object.is, has it). */
function same(a: Tensor, b: Tensor): void {
  expect(a.shape).toEqual(b.shape);
  expect(Array.from(a.data, (v) => v + 0)).toEqual(Array.from(b.data, (v) => v + 0));
}

/** The slices of x along `ax`, each as a plain array. */
function slices(x: Tensor, ax: number): number[][] {
  const perm = [...x.shape.keys()].filter((k) => k !== ax).concat(ax);
  const rows = x.transpose(perm).reshape([-1, x.shape[ax]]);
  return Array.from({ length: rows.shape[0] }, (_, r) => Array.from(rows.data.subarray(r * x.shape[ax], (r + 1) * x.shape[ax])));
}

describe('laws', () => {
  it('concat of split is the identity, for chunk sizes and for lists of sizes', () => {
    fc.assert(fc.property(withAxis, fc.integer({ min: 1, max: 5 }), ([x, axis], chunk) => {
      same(concat(x.split(chunk, axis), axis), x);
      const n = x.shape[axisOf(x, axis)];
      const sizes = [Math.floor(n / 2), 0, n - Math.floor(n / 2)];
      const pieces = x.split(sizes, axis);
      expect(pieces.map((p) => p.shape[axisOf(x, axis)])).toEqual(sizes);
      same(concat(pieces, axis), x);
    }), RUNS);
  });

  it('narrow pieces concat back to x, and pad then narrow gives x back', () => {
    fc.assert(fc.property(withAxis, fc.nat(), fc.nat({ max: 3 }), fc.nat({ max: 3 }), ([x, axis], cut, before, after) => {
      const n = x.shape[axisOf(x, axis)];
      const at = cut % (n + 1);
      same(concat([x.narrow(axis, 0, at), x.narrow(axis, at, n - at)], axis), x);
      const widths = x.shape.map((_, k): [number, number] => (k === axisOf(x, axis) ? [before, after] : [0, 0]));
      const padded = x.pad(widths, 7);
      same(padded.narrow(axis, before, n), x);
      expect(padded.sum().item()).toBeCloseTo(x.sum().item() + 7 * (padded.size - x.size), 9);
    }), RUNS);
  });

  it('flip twice is the identity; flip along an axis reverses it', () => {
    fc.assert(fc.property(withAxis, ([x, axis]) => {
      same(x.flip(axis).flip(axis), x);
      const all = x.shape.map((_, k) => k);
      same(x.flip(all).flip(all), x);
      const n = x.shape[axisOf(x, axis)];
      same(x.flip(axis).narrow(axis, n - 1, 1), x.narrow(axis, 0, 1));
    }), RUNS);
  });

  it('squeeze undoes unsqueeze; stack is unsqueeze then concat', () => {
    fc.assert(fc.property(arbTensor, fc.nat(), (x, k) => {
      const axis = (k % (2 * x.shape.length + 2)) - (x.shape.length + 1);
      same(x.unsqueeze(axis).squeeze(axis), x);
      const s = stack([x, x.neg()], axis);
      same(s.narrow(axis, 1, 1).squeeze(axis), x.neg());
    }), RUNS);
  });

  it('sort orders each slice and only reorders it; topk is the head of the descending sort', () => {
    fc.assert(fc.property(withAxis, fc.nat(), ([x, axis], pick) => {
      const ax = axisOf(x, axis);
      const n = x.shape[ax];
      const sorted = x.sort(axis);
      expect(slices(sorted, ax)).toEqual(slices(x, ax).map((row) => row.sort((a, b) => a - b)));
      const k = pick % (n + 1);
      same(x.topk(k, axis), x.sort(axis, true).narrow(ax, 0, k));
      same(x.topk(k, axis, false), sorted.narrow(ax, 0, k));
    }), RUNS);
  });

  it('cumsum ends in the sum; cumprod ends in the product', () => {
    fc.assert(fc.property(withAxis, ([x, axis]) => {
      const n = x.shape[axisOf(x, axis)];
      const last = x.cumsum(axis).narrow(axis, n - 1, 1).squeeze(axis);
      Array.from(x.sum(axis).data).forEach((v, i) => expect(last.data[i]).toBeCloseTo(v, 12));
      let product = x.narrow(axis, 0, 1);
      for (let r = 1; r < n; r++) product = product.mul(x.narrow(axis, r, 1));
      same(x.cumprod(axis).narrow(axis, n - 1, 1), product);
    }), RUNS);
  });

  it('maximum + minimum = a + b, and their gradients add up to one everywhere, ties included', () => {
    fc.assert(fc.property(arbTensor, fc.integer({ min: -2, max: 2 }), (x, v) => {
      const a = x.detach().requireGrad();
      const b = tensor([v]).requireGrad();
      const total = a.maximum(b).add(a.minimum(b));
      Array.from(a.add(b).data).forEach((s, i) => expect(total.data[i]).toBe(s));
      total.sum().backward();
      expect(Array.from(a.grad!.data).every((g) => g === 1)).toBe(true);
      expect(b.grad!.item()).toBe(x.size);
    }), RUNS);
  });

  it('clamp is maximum then minimum; min is −max(−x); where(c, a, b) + where(c, b, a) = a + b', () => {
    fc.assert(fc.property(arbTensor, fc.integer({ min: -2, max: 0 }), fc.integer({ min: 0, max: 2 }), (x, lo, hi) => {
      same(x.clamp(lo, hi), x.maximum(lo).minimum(hi));
      same(x.min(), x.neg().max().neg());
      const c = x.sign();
      const y = x.mul(3);
      same(where(c, x, y).add(where(c, y, x)), x.add(y));
    }), RUNS);
  });

  it('logsumexp lies between max and max + log n and equals log Σ exp where that does not overflow', () => {
    fc.assert(fc.property(withAxis, ([x, axis]) => {
      const n = x.shape[axisOf(x, axis)];
      const l = x.logsumexp(axis);
      const m = x.max(axis);
      const naive = x.exp().sum(axis).log();
      for (let i = 0; i < l.size; i++) {
        expect(l.data[i]).toBeGreaterThanOrEqual(m.data[i]);
        expect(l.data[i]).toBeLessThanOrEqual(m.data[i] + Math.log(n) + 1e-12);
        expect(l.data[i]).toBeCloseTo(naive.data[i], 12);
      }
    }), RUNS);
  });
});

describe('argument and shape errors name the op, the argument and the shapes', () => {
  const x = zeros([2, 3]);

  it.each([
    ['narrow axis', () => x.narrow(2, 0, 1), ShapeError, 'narrow: axis 2 is out of range for shape [2, 3]'],
    ['narrow range', () => x.narrow(1, 2, 2), RangeError, 'narrow: start 2 and length 2 do not fit axis 1 of size 3 (shape [2, 3])'],
    ['narrow negative start', () => x.narrow(-1, -4, 1), RangeError, 'narrow: start -4 and length 1 do not fit axis -1 of size 3 (shape [2, 3])'],
    ['narrow fractional', () => x.narrow(0, 0.5, 1), RangeError, 'narrow: start 0.5 and length 1 must be integers'],
    ['pad count', () => x.pad([[1, 1]]), ShapeError, 'pad: widths has 1 pair for shape [2, 3] (2 axes); give one [before, after] per axis'],
    ['pad negative', () => x.pad([[0, 0], [-1, 0]]), RangeError, 'pad: widths[1] is [-1,0]; each must be [before, after], non-negative integers'],
    ['concat empty', () => concat([]), RangeError, 'concat: needs a non-empty array of tensors'],
    ['concat shapes', () => concat([x, zeros([2, 4])], 0), ShapeError, "concat: tensor 1 has shape [2, 4], which does not match tensor 0's shape [2, 3] outside axis 0"],
    ['concat ranks', () => concat([x, zeros([3])], 1), ShapeError, "concat: tensor 1 has shape [3], which does not match tensor 0's shape [2, 3] outside axis 1"],
    ['concat 0-d', () => concat([zeros([]), zeros([])]), ShapeError, 'concat: cannot concatenate 0-d tensors (tensor 0 has shape [])'],
    ['concat axis', () => concat([x, x], -3), ShapeError, 'concat: axis -3 is out of range for shape [2, 3]'],
    ['stack shapes', () => stack([x, zeros([3, 2])]), ShapeError, 'stack: tensor 1 has shape [3, 2], but tensor 0 has shape [2, 3] (stack needs equal shapes)'],
    ['stack axis', () => stack([x, x], 3), ShapeError, 'stack: axis 3 is out of range for shape [2, 3] (a new axis goes at -3..2)'],
    ['split sizes', () => x.split([1, 1], 1), ShapeError, 'split: sizes [1, 1] add up to 2, but axis 1 of shape [2, 3] has size 3'],
    ['split chunk', () => x.split(0), RangeError, 'split: chunk size 0 must be a positive integer'],
    ['split negative size', () => x.split([4, -1], 1), RangeError, 'split: sizes [4,-1] must be non-negative integers'],
    ['flip repeated', () => x.flip([1, -1]), ShapeError, 'flip: axis -1 repeated for shape [2, 3]'],
    ['flip axis', () => x.flip(2), ShapeError, 'flip: axis 2 is out of range for shape [2, 3]'],
    ['squeeze axis', () => x.squeeze(-3), ShapeError, 'squeeze: axis -3 is out of range for shape [2, 3]'],
    ['unsqueeze axis', () => x.unsqueeze(3), ShapeError, 'unsqueeze: axis 3 is out of range for shape [2, 3] (a new axis goes at -3..2)'],
    ['sort axis', () => x.sort(2), ShapeError, 'sort: axis 2 is out of range for shape [2, 3]'],
    ['topk k', () => x.topk(4), RangeError, 'topk: k 4 is out of range for axis -1 of size 3 (shape [2, 3])'],
    ['topk axis', () => x.topk(1, 5), ShapeError, 'topk: axis 5 is out of range for shape [2, 3]'],
    ['cumsum axis', () => x.cumsum(2), ShapeError, 'cumsum: axis 2 is out of range for shape [2, 3]'],
    ['cumprod axis', () => x.cumprod(-3), ShapeError, 'cumprod: axis -3 is out of range for shape [2, 3]'],
    ['min axis', () => x.min(4), ShapeError, 'min: axis 4 is out of range for shape [2, 3]'],
    ['min empty', () => zeros([0, 2]).min(), ShapeError, 'min: cannot reduce empty tensor of shape [0, 2]'],
    ['logsumexp axis', () => x.logsumexp([0, 0]), ShapeError, 'logsumexp: axis 0 repeated for shape [2, 3]'],
    ['logsumexp empty', () => zeros([0]).logsumexp(), ShapeError, 'logsumexp: cannot reduce empty tensor of shape [0]'],
    ['clamp no bounds', () => x.clamp(), TypeError, 'clamp: give at least one of min and max'],
    ['clamp NaN bound', () => x.clamp(0, NaN), RangeError, 'clamp: max is NaN'],
    ['maximum shapes', () => x.maximum(zeros([2])), ShapeError, 'maximum: cannot broadcast shapes [2, 3] and [2]'],
    ['minimum shapes', () => x.minimum(zeros([4, 1, 2])), ShapeError, 'minimum: cannot broadcast shapes [2, 3] and [4, 1, 2]'],
    ['where shapes', () => where(zeros([3]), x, zeros([2])), ShapeError, 'where: cannot broadcast condition [3], a [2, 3] and b [2]'],
  ] as const)('%s', (_, f, type, message) => {
    expect(f).toThrow(type);
    expect(f).toThrow(message);
  });
});
