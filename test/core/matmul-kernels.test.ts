// matmul reads a transposed operand through strides instead of copying it, and its backward is
// written with those transposed products; every transpose flag must give the naive product, and
// gradients of gradients through them must still check.
import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/core/index.ts';
import { matmulTransposed } from '../../src/ops/matmul.ts';
import { defineOp } from '../../src/spec/define.ts';
import { gradcheck } from '../../src/api.ts';

function filled(shape: number[], offset: number): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return new Tensor(Float64Array.from({ length: size }, (_, i) => 1 + ((i * 7 + offset) % 11) / 3), shape);
}

/** op(x)[row, col] of one 2-D matrix, by definition. */
function at(x: Tensor, transposed: boolean, row: number, col: number): number {
  const cols = x.shape[1];
  return transposed ? x.data[col * cols + row] : x.data[row * cols + col];
}

function naiveProduct(a: Tensor, transposeA: boolean, b: Tensor, transposeB: boolean): number[] {
  const [n, k] = transposeA ? [a.shape[1], a.shape[0]] : a.shape;
  const m = transposeB ? b.shape[0] : b.shape[1];
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += at(a, transposeA, i, p) * at(b, transposeB, p, j);
      out.push(sum);
    }
  }
  return out;
}

const flags: [boolean, boolean][] = [[false, false], [false, true], [true, false], [true, true]];
const name = (tA: boolean, tB: boolean) => `${tA ? 'Aᵀ' : 'A'} @ ${tB ? 'Bᵀ' : 'B'}`;
const stored = (transposed: boolean, rows: number, cols: number) => (transposed ? [cols, rows] : [rows, cols]);

describe('matmul with transposed operands', () => {
  // Sizes off the kernel's 2×4 tiles too: odd rows, columns not a multiple of 4, k of 1.
  const sizes: [number, number, number][] = [[4, 8, 8], [5, 3, 7], [1, 1, 1], [3, 1, 6], [6, 9, 2], [64, 64, 64]];
  for (const [tA, tB] of flags) {
    it(`${name(tA, tB)} equals the naive product`, () => {
      for (const [n, k, m] of sizes) {
        const a = filled(stored(tA, n, k), 1);
        const b = filled(stored(tB, k, m), 5);
        const out = matmulTransposed(a, tA, b, tB);
        expect(out.shape).toEqual([n, m]);
        expect(Array.from(out.data)).toEqual(naiveProduct(a, tA, b, tB));
      }
    });
  }

  it('broadcasts batch dimensions with a transposed operand', () => {
    const a = filled([2, 4, 3], 2); // two 3×4 matrices, stored transposed
    const b = filled([4, 5], 3);
    const out = matmulTransposed(a, true, b, false);
    expect(out.shape).toEqual([2, 3, 5]);
    for (let t = 0; t < 2; t++) {
      const slice = new Tensor(a.data.slice(t * 12, (t + 1) * 12), [4, 3]);
      expect(Array.from(out.data.slice(t * 15, (t + 1) * 15))).toEqual(naiveProduct(slice, true, b, false));
    }
  });

  it('names both shapes when the inner dimensions differ', () => {
    expect(() => matmulTransposed(filled([3, 4], 0), false, filled([3, 4], 0), false)).toThrow(/inner dimensions differ: \[3, 4\] @ \[3, 4\]/);
  });

  for (const [tA, tB] of flags) {
    it(`gradients and second-order gradients of ${name(tA, tB)} check`, async () => {
      const op = defineOp({
        name: name(tA, tB),
        inputs: { a: stored(tA, 3, 4), b: stored(tB, 4, 5) },
        // tanh makes the second derivative depend on both operands in every product of the backward.
        forward: ({ a, b }) => matmulTransposed(a, tA, b, tB).tanh(),
      });
      expect((await gradcheck(op)).status).toBe('pass');
      expect((await gradcheck(op, { order: 2 })).status).toBe('pass');
    });
  }

  it('second-order gradients of a batched matmul with broadcasting check', async () => {
    const op = defineOp({ name: 'batched', inputs: { a: [2, 3, 4], b: [4, 5] }, forward: ({ a, b }) => a.matmul(b).tanh() });
    expect((await gradcheck(op, { order: 2 })).status).toBe('pass');
  });
});
