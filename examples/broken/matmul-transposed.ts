// BROKEN on purpose: the weight gradient of Y = X @ W written as dYᵀ @ X, the transpose of the
// Xᵀ @ dY that belongs (a column-vector formula pasted into row-vector code). With a square W the
// shapes agree, so nothing errors: the gradient is silently wrong.
import { customOp, defineOp } from 'gradcheck';

const matmul = customOp({
  name: 'matmul',
  inputNames: ['x', 'w'],
  forward: (x, w) => x.matmul(w),
  backward: (grad, { inputs: [x, w] }) => [
    grad.matmul(w.transpose()),
    grad.transpose().matmul(x), // bug: should be x.transpose().matmul(grad)
  ],
});

export const transposed = defineOp({
  name: 'dW = dYᵀ @ X',
  inputs: { x: [4, 4], w: [4, 4] },
  forward: ({ x, w }) => matmul(x, w),
});
