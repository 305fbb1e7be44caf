// Benchmark op 5 of 7: layer norm over the last axis of 8×32, no affine (torch: F.layer_norm, eps 1e-5).
import { defineOp } from 'gradcheck';

const EPSILON = 1e-5;

export default defineOp({
  name: 'layer norm 8x32',
  inputs: { x: [8, 32] },
  forward: ({ x }) => {
    const centered = x.sub(x.mean(-1, true));
    const variance = centered.square().mean(-1, true);
    return centered.div(variance.add(EPSILON).sqrt());
  },
});
