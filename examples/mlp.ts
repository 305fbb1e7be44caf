// A two-layer perceptron, all built-in ops: gradcheck checks its own autograd core too.
import { defineOp } from 'gradcheck';

export const mlp = defineOp({
  name: 'two-layer MLP',
  inputs: {
    x: [4, 16],
    w1: [16, 32],
    b1: { shape: [32], low: -0.5, high: 0.5 },
    w2: [32, 10],
  },
  forward: ({ x, w1, b1, w2 }) => x.matmul(w1).add(b1).tanh().matmul(w2).square().sum(),
});
