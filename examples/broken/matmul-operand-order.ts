// BROKEN on purpose: the weight gradient of Y = X @ W written dW = dY @ Xᵀ, with the operands in
// the wrong order: Xᵀ @ dY belongs. With N = D (here every dimension is 4) the shapes happen to
// agree, so nothing errors: the gradient is silently wrong, typically by 100% or more.
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

export const operandOrder = defineOp({
  name: 'dW = dY @ X.T',
  inputs: { x: [4, 4], w: [4, 4] },
  forward: ({ x, w }) => matmul(x, w),
});
