// Benchmark op 6 of 7: scaled dot-product attention, softmax(q kᵀ / √8) v, q, k, v 6×8.
import { defineOp } from 'gradcheck';

export default defineOp({
  name: 'attention 6x8',
  inputs: { q: [6, 8], k: [6, 8], v: [6, 8] },
  forward: ({ q, k, v }) => q.matmul(k.transpose()).div(Math.sqrt(8)).softmax(-1).matmul(v),
});
