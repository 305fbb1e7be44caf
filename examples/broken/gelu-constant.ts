// BROKEN on purpose: GELU's sigmoid approximation x · σ(1.702 x), whose hand-written backward
// uses 1.7, a constant copied from memory. The gradients are off by about 0.1%: training still
// works, a little worse, and nothing but a gradient check notices.
import { customOp, defineOp } from 'gradcheck';

const gelu = customOp({
  name: 'gelu',
  forward: (x) => x.mul(x.mul(1.702).sigmoid()),
  backward: (grad, { inputs: [x] }) => {
    const s = x.mul(1.7).sigmoid(); // bug: the forward uses 1.702
    return [grad.mul(s.add(x.mul(1.702).mul(s).mul(s.neg().add(1))))];
  },
});

export const geluOp = defineOp({
  name: 'gelu (0.1% off)',
  inputs: { x: [32] },
  forward: ({ x }) => gelu(x),
});
