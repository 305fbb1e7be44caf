// Benchmark op 4 of 7: a two-layer MLP, sum of squares of tanh(x W1 + b1) W2.
import { defineOp } from 'gradcheck';

export default defineOp({
  name: 'mlp 4x16 -> 32 -> 10',
  inputs: { x: [4, 16], w1: [16, 32], b1: [32], w2: [32, 10] },
  forward: ({ x, w1, b1, w2 }) => x.matmul(w1).add(b1).tanh().matmul(w2).square().sum(),
});
