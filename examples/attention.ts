// Scaled dot-product attention, softmax(q kᵀ / √d) v, from built-in ops.
import { defineOp } from 'gradcheck';

export const attention = defineOp({
  name: 'attention',
  inputs: { q: [6, 8], k: [6, 8], v: [6, 8] },
  forward: ({ q, k, v }) =>
    q
      .matmul(k.transpose())
      .div(Math.sqrt(8))
      .softmax(-1)
      .matmul(v),
});
