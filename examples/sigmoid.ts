// sigmoid with a hand-written backward: σ'(x) = σ(x) · (1 − σ(x)).
import { customOp, defineOp } from 'gradcheck';

const sigmoid = customOp({
  name: 'sigmoid',
  forward: (x) => x.neg().exp().add(1).pow(-1),
  backward: (grad, { output }) => [grad.mul(output.mul(output.neg().add(1)))],
});

export default defineOp({
  name: 'sigmoid',
  inputs: { x: { shape: [8, 8], low: -6, high: 6 } },
  forward: ({ x }) => sigmoid(x),
});

// softplus(x) = log(1 + eˣ), whose derivative is σ(x).
const softplus = customOp({
  name: 'softplus',
  forward: (x) => x.exp().add(1).log(),
  backward: (grad, { inputs: [x] }) => [grad.mul(x.sigmoid())],
});

export const softplusOp = defineOp({ name: 'softplus', inputs: { x: [32] }, forward: ({ x }) => softplus(x) });
