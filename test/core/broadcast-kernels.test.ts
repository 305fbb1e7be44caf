// The binary kernels read a broadcast operand through fast layouts (scalar, tile, repeat) or index
// maps; every layout must give what NumPy broadcasting gives, element by element.
import { describe, expect, it } from 'vitest';
import { Tensor, sumToShape } from '../../src/core/index.ts';

function filled(shape: number[], offset: number): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return new Tensor(Float64Array.from({ length: size }, (_, i) => 1 + ((i * 7 + offset) % 11) / 3), shape);
}

/** Broadcasting by definition: each output position's coordinates, clamped where an operand has size 1. */
function reference(a: Tensor, b: Tensor, f: (x: number, y: number) => number): number[] {
  const nd = Math.max(a.shape.length, b.shape.length);
  const pad = (s: number[]) => [...Array(nd - s.length).fill(1), ...s];
  const sa = pad(a.shape);
  const sb = pad(b.shape);
  const out = sa.map((d, i) => Math.max(d, sb[i]));
  const offset = (shape: number[], coords: number[]) =>
    coords.reduce((off, c, i) => off * shape[i] + (shape[i] === 1 ? 0 : c), 0);
  const values: number[] = [];
  const size = out.reduce((x, y) => x * y, 1);
  for (let flat = 0; flat < size; flat++) {
    const coords: number[] = [];
    for (let d = nd - 1, rest = flat; d >= 0; d--) {
      coords[d] = rest % out[d];
      rest = Math.floor(rest / out[d]);
    }
    values.push(f(a.data[offset(sa, coords)], b.data[offset(sb, coords)]));
  }
  return values;
}

const pairs: [number[], number[]][] = [
  [[4, 32], [32]], // tile (a bias)
  [[4, 32], [1, 32]], // tile with a leading 1
  [[8, 10], [8, 1]], // repeat (a keepDims reduction)
  [[2, 3, 4], [2, 3, 1]], // repeat over the last axis of a 3-D array
  [[2, 3, 4], [2, 1, 1]], // repeat over two axes
  [[2, 3, 4], [3, 1]], // neither: broadcast along the first axis and the last
  [[2, 3, 4], [1, 3, 1]], // neither
  [[3, 1], [1, 4]], // both operands broadcast
  [[5], [1]], // scalar-like
  [[5], []], // scalar
  [[3, 4], [3, 4]], // same shape
];

describe('binary kernels under broadcasting', () => {
  for (const [sa, sb] of pairs) {
    it(`[${sa}] op [${sb}] matches broadcasting by definition, both ways round`, () => {
      for (const [a, b] of [[filled(sa, 0), filled(sb, 3)], [filled(sb, 3), filled(sa, 0)]]) {
        expect(Array.from(a.add(b).data)).toEqual(reference(a, b, (x, y) => x + y));
        expect(Array.from(a.mul(b).data)).toEqual(reference(a, b, (x, y) => x * y));
        expect(Array.from(a.div(b).data)).toEqual(reference(a, b, (x, y) => x / y));
      }
    });
  }
});

describe('expand and sumToShape under every broadcast pattern', () => {
  for (const [big, small] of pairs.filter(([b, s]) => s.length <= b.length && s.every((d, i) => d === 1 || d === b[b.length - s.length + i]))) {
    it(`[${small}] expands to [${big}] and [${big}] sums back to [${small}]`, () => {
      const x = filled(small, 1);
      const zeros = new Tensor(new Float64Array(big.reduce((a, b) => a * b, 1)), big);
      expect(Array.from(x.expand(big).data)).toEqual(reference(zeros, x, (_z, v) => v));

      const g = filled(big, 2);
      const expected = new Float64Array(x.size);
      // Scatter-add by definition: each element of g lands on the element of x that broadcasting read.
      const positions = reference(zeros, new Tensor(Float64Array.from({ length: x.size }, (_, i) => i), small), (_z, v) => v);
      positions.forEach((at, i) => (expected[at] += g.data[i]));
      expect(Array.from(sumToShape(g, small).data)).toEqual(Array.from(expected));
    });
  }
});
