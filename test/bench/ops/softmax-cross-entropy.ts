// Benchmark op 3 of 7: softmax + cross-entropy on 8×10 logits (torch: F.cross_entropy).
import { crossEntropy, defineOp } from 'gradcheck';

const TARGETS = [3, 1, 4, 1, 5, 9, 2, 6];

export default defineOp({
  name: 'softmax + cross-entropy 8x10',
  inputs: { logits: [8, 10] },
  forward: ({ logits }) => crossEntropy(logits, TARGETS),
});
