// Benchmark op 2 of 7: matmul 16×32 @ 32×8.
import { defineOp } from 'gradcheck';

export default defineOp({
  name: 'matmul 16x32 @ 32x8',
  inputs: { a: [16, 32], b: [32, 8] },
  forward: ({ a, b }) => a.matmul(b),
});
