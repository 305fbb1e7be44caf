// BROKEN on purpose: the weight gradient of Y = X @ W written as dY @ Xᵀ where Xᵀ @ dY belongs.
// With N = D the shapes agree, so nothing errors: the gradient is silently wrong.
import { customOp, defineOp } from 'gradcheck';

const matmul = customOp({
  name: 'matmul',
  inputNames: ['x', 'w'],
  forward: (x, w) => x.matmul(w),
  backward: (grad, { inputs: [x, w] }) => [
    grad.matmul(w.transpose()),
    grad.matmul(x.transpose()), // bug: should be x.transpose().matmul(grad)
  ],
});

export const transposed = defineOp({
  name: 'dW = dY @ X.T',
  inputs: { x: [4, 4], w: [4, 4] },
  forward: ({ x, w }) => matmul(x, w),
});
