// Matrix product with a hand-written backward. For Y = X @ W:
//   dX = dY @ Wᵀ   and   dW = Xᵀ @ dY   (operand order matters: see examples/broken/matmul-transposed.ts)
import { customOp, defineOp } from 'gradcheck';

const matmul = customOp({
  name: 'matmul',
  inputNames: ['x', 'w'],
  forward: (x, w) => x.matmul(w),
  backward: (grad, { inputs: [x, w] }) => [grad.matmul(w.transpose()), x.transpose().matmul(grad)],
});

export const linear = defineOp({
  name: 'matmul',
  inputs: { x: [16, 32], w: [32, 8] },
  forward: ({ x, w }) => matmul(x, w),
});

// The built-in matmul, batched, with the batch dimension broadcast over the weights.
export const batched = defineOp({
  name: 'batched matmul',
  inputs: { x: [3, 4, 5], w: [5, 2] },
  forward: ({ x, w }) => x.matmul(w),
});
