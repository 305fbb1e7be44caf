import { allocate } from '../core/storage.ts';
import { Tensor } from '../core/tensor.ts';
import { record } from '../core/autograd.ts';
import { ShapeError, broadcastIndex, broadcastShapes, formatShape, sizeOf } from '../core/shape.ts';
import { sumToShape } from './reduce.ts';

/**
 * (..., n, k) @ (..., k, m) with NumPy batch broadcasting. A 1-D operand is
 * treated NumPy-style: promoted to a matrix, and the added axis removed after.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  // The message is built only on failure: matmul runs thousands of times per check.
  const shapes = () => `${formatShape(a.shape)} @ ${formatShape(b.shape)}`;
  const na = a.shape.length;
  const nb = b.shape.length;
  if (na === 0 || nb === 0) throw new ShapeError(`matmul: operands must be at least 1-D, got ${shapes()}`);
  const ka = a.shape[na - 1];
  const kb = nb === 1 ? b.shape[0] : b.shape[nb - 2];
  if (ka !== kb) throw new ShapeError(`matmul: inner dimensions differ: ${shapes()}`);
  if (na === 1) {
    const r = matmul(a.reshape([1, ka]), b);
    return r.reshape([...r.shape.slice(0, -2), r.shape[r.shape.length - 1]]);
  }
  if (nb === 1) {
    const r = matmul(a, b.reshape([kb, 1]));
    return r.reshape(r.shape.slice(0, -1));
  }
  return matmulTransposed(a, false, b, false, shapes);
}

const NO_BATCH = Int32Array.of(0);

/**
 * op(a) @ op(b) for batched matrices, where op transposes the last two axes when its flag is set.
 * The transpose is only a change of strides in the kernel, never a copy, so the backward products
 * (grad @ bᵀ and aᵀ @ grad) cost no more than the forward. The backward is written with this same
 * primitive, so it is recorded on the tape too and higher-order gradients work.
 */
export function matmulTransposed(
  a: Tensor, transposeA: boolean, b: Tensor, transposeB: boolean,
  shapes = () => `${formatShape(a.shape)}${transposeA ? 'ᵀ' : ''} @ ${formatShape(b.shape)}${transposeB ? 'ᵀ' : ''}`,
): Tensor {
  const na = a.shape.length;
  const nb = b.shape.length;
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  let batch: number[];
  try {
    batch = broadcastShapes(aBatch, bBatch);
  } catch {
    throw new ShapeError(`matmul: cannot broadcast batch dimensions: ${shapes()}`);
  }
  const [aRows, aCols] = [a.shape[na - 2], a.shape[na - 1]];
  const [bRows, bCols] = [b.shape[nb - 2], b.shape[nb - 1]];
  const [n, k] = transposeA ? [aCols, aRows] : [aRows, aCols];
  const [kb, m] = transposeB ? [bCols, bRows] : [bRows, bCols];
  if (k !== kb) throw new ShapeError(`matmul: inner dimensions differ: ${shapes()}`);
  // Plain 2-D operands (the common case) need no batch index maps.
  const ia = batch.length === 0 ? NO_BATCH : broadcastIndex(aBatch, batch);
  const ib = batch.length === 0 ? NO_BATCH : broadcastIndex(bBatch, batch);
  const out = new Tensor(allocate(sizeOf(batch) * n * m), [...batch, n, m]);
  // Element (row, col) of op(x) lives at row * rowStride + col * colStride in x's row-major data.
  const [aRowStride, aColStride] = transposeA ? [1, aCols] : [aCols, 1];
  const [bRowStride, bColStride] = transposeB ? [1, bCols] : [bCols, 1];
  for (let t = 0; t < ia.length; t++) {
    multiplyInto(
      a.data, ia[t] * n * k, aRowStride, aColStride,
      b.data, ib[t] * k * m, bRowStride, bColStride,
      out.data, t * n * m, n, k, m,
    );
  }
  return record(out, 'matmul', [a, b], (g) => [
    a.requiresGrad ? sumToShape(gradOfA(g, b, transposeA, transposeB), a.shape) : null,
    b.requiresGrad ? sumToShape(gradOfB(g, a, transposeA, transposeB), b.shape) : null,
  ]);
}

/** For out = op(a) @ op(b): d op(a) = g @ op(b)ᵀ, and da is its transpose when a was transposed. */
function gradOfA(g: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean): Tensor {
  return transposeA ? matmulTransposed(b, transposeB, g, true) : matmulTransposed(g, false, b, !transposeB);
}

/** For out = op(a) @ op(b): d op(b) = op(a)ᵀ @ g, and db is its transpose when b was transposed. */
function gradOfB(g: Tensor, a: Tensor, transposeA: boolean, transposeB: boolean): Tensor {
  return transposeB ? matmulTransposed(g, true, a, transposeA) : matmulTransposed(a, !transposeA, g, false);
}

/**
 * O = op(A) @ op(B) for one (n, k) @ (k, m) block, op(A)[i, p] being A[aOff + i * aRowStride + p * aColStride]
 * (likewise B). Each 2×4 tile of O is summed in eight local accumulators over the whole of k, so every
 * loaded element of A is used four times and of B twice, and O is written once: an i-k-j loop would
 * load and store O at every step, about twice the time on 64×64 @ 64×64. Each element is summed in
 * order of p, as the naive loop does, so the result does not depend on the tiling.
 */
function multiplyInto(
  A: Float64Array, aOff: number, aRowStride: number, aColStride: number,
  B: Float64Array, bOff: number, bRowStride: number, bColStride: number,
  O: Float64Array, oOff: number, n: number, k: number, m: number,
): void {
  const tiledRows = n - (n % 2);
  const tiledCols = m - (m % 4);
  for (let i = 0; i < tiledRows; i += 2) {
    const a0 = aOff + i * aRowStride;
    const a1 = a0 + aRowStride;
    for (let j = 0; j < tiledCols; j += 4) {
      const b0 = bOff + j * bColStride;
      const b1 = b0 + bColStride;
      const b2 = b1 + bColStride;
      const b3 = b2 + bColStride;
      let o00 = 0, o01 = 0, o02 = 0, o03 = 0, o10 = 0, o11 = 0, o12 = 0, o13 = 0;
      for (let p = 0; p < k; p++) {
        const ap = p * aColStride;
        const bp = p * bRowStride;
        const x0 = A[a0 + ap];
        const x1 = A[a1 + ap];
        const y0 = B[b0 + bp];
        const y1 = B[b1 + bp];
        const y2 = B[b2 + bp];
        const y3 = B[b3 + bp];
        o00 += x0 * y0; o01 += x0 * y1; o02 += x0 * y2; o03 += x0 * y3;
        o10 += x1 * y0; o11 += x1 * y1; o12 += x1 * y2; o13 += x1 * y3;
      }
      const r0 = oOff + i * m + j;
      const r1 = r0 + m;
      O[r0] = o00; O[r0 + 1] = o01; O[r0 + 2] = o02; O[r0 + 3] = o03;
      O[r1] = o10; O[r1 + 1] = o11; O[r1 + 2] = o12; O[r1 + 3] = o13;
    }
  }
  // The last row when n is odd and the last columns when m is not a multiple of 4: one dot product each.
  for (let i = 0; i < n; i++) {
    for (let j = i < tiledRows ? tiledCols : 0; j < m; j++) {
      const aRow = aOff + i * aRowStride;
      const bCol = bOff + j * bColStride;
      let sum = 0;
      for (let p = 0; p < k; p++) sum += A[aRow + p * aColStride] * B[bCol + p * bRowStride];
      O[oOff + i * m + j] = sum;
    }
  }
}
