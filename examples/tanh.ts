// tanh with a hand-written backward: d tanh(x)/dx = 1 − tanh(x)², read off the saved output.
import { customOp, defineOp } from 'gradcheck';

const tanh = customOp({
  name: 'tanh',
  forward: (x) => x.tanh(),
  backward: (grad, { output }) => [grad.mul(output.square().neg().add(1))],
});

export default defineOp({
  name: 'tanh',
  inputs: { x: [64] },
  forward: ({ x }) => tanh(x),
});
