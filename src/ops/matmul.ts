import { Tensor } from '../core/tensor.ts';
import { record } from '../core/autograd.ts';
import { ShapeError, broadcastIndex, broadcastShapes, formatShape, sizeOf } from '../core/shape.ts';
import { swapLastTwo } from './movement.ts';
import { sumToShape } from './reduce.ts';

/**
 * (..., n, k) @ (..., k, m) with NumPy batch broadcasting. A 1-D operand is
 * treated NumPy-style: promoted to a matrix, and the added axis removed after.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const shapes = `${formatShape(a.shape)} @ ${formatShape(b.shape)}`;
  const na = a.shape.length;
  const nb = b.shape.length;
  if (na === 0 || nb === 0) throw new ShapeError(`matmul: operands must be at least 1-D, got ${shapes}`);
  const ka = a.shape[na - 1];
  const kb = nb === 1 ? b.shape[0] : b.shape[nb - 2];
  if (ka !== kb) throw new ShapeError(`matmul: inner dimensions differ: ${shapes}`);
  if (na === 1) {
    const r = matmul(a.reshape([1, ka]), b);
    return r.reshape([...r.shape.slice(0, -2), r.shape[r.shape.length - 1]]);
  }
  if (nb === 1) {
    const r = matmul(a, b.reshape([kb, 1]));
    return r.reshape(r.shape.slice(0, -1));
  }
  return batchedMatmul(a, b, shapes);
}

function batchedMatmul(a: Tensor, b: Tensor, shapes: string): Tensor {
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  let batch: number[];
  try {
    batch = broadcastShapes(aBatch, bBatch);
  } catch {
    throw new ShapeError(`matmul: cannot broadcast batch dimensions: ${shapes}`);
  }
  const [n, k] = a.shape.slice(-2);
  const m = b.shape[b.shape.length - 1];
  const ia = broadcastIndex(aBatch, batch);
  const ib = broadcastIndex(bBatch, batch);
  const out = new Tensor(new Float64Array(sizeOf(batch) * n * m), [...batch, n, m]);
  const A = a.data;
  const B = b.data;
  const O = out.data;
  for (let t = 0; t < ia.length; t++) {
    const aOff = ia[t] * n * k;
    const bOff = ib[t] * k * m;
    const oOff = t * n * m;
    // i-k-j order walks B and O rows contiguously.
    for (let i = 0; i < n; i++) {
      const oRow = oOff + i * m;
      for (let p = 0; p < k; p++) {
        const av = A[aOff + i * k + p];
        const bRow = bOff + p * m;
        for (let j = 0; j < m; j++) O[oRow + j] += av * B[bRow + j];
      }
    }
  }
  return record(out, 'matmul', [a, b], (g) => [
    a.requiresGrad ? sumToShape(g.matmul(swapLastTwo(b)), a.shape) : null,
    b.requiresGrad ? sumToShape(swapLastTwo(a).matmul(g), b.shape) : null,
  ]);
}
