// Benchmark op 7 of 7: sum(a @ b) with a, b 64×64, 8192 input elements feeding one scalar.
import { defineOp } from 'gradcheck';

export default defineOp({
  name: 'sum(matmul 64x64 @ 64x64)',
  inputs: { a: [64, 64], b: [64, 64] },
  forward: ({ a, b }) => a.matmul(b).sum(),
});
