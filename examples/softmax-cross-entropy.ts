// Softmax + cross-entropy, once from built-in ops and once fused with the classic hand-written
// backward: d loss / d logits = (softmax(logits) − onehot(targets)) / N.
import { crossEntropy, customOp, defineOp, tensor } from 'gradcheck';

const targets = [3, 0, 9, 1, 4, 4, 7, 2];

export const builtIn = defineOp({
  name: 'softmax + cross-entropy',
  inputs: { logits: [8, 10] },
  forward: ({ logits }) => crossEntropy(logits, targets),
});

const oneHot = tensor(targets.map((t) => Array.from({ length: 10 }, (_, c) => (c === t ? 1 : 0))));

const fusedCrossEntropy = customOp({
  name: 'fused cross-entropy',
  forward: (logits) => logits.logSoftmax().mul(oneHot).sum().neg().div(targets.length),
  backward: (grad, { inputs: [logits] }) => [logits.softmax().sub(oneHot).mul(grad).div(targets.length)],
});

export const fused = defineOp({
  name: 'fused softmax + cross-entropy',
  inputs: { logits: [8, 10] },
  forward: ({ logits }) => fusedCrossEntropy(logits),
});
