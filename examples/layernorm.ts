// Layer norm over the last axis (no affine), composed and with the hand-derived backward:
//   y = (x − μ) / σ,   dx = (dy − mean(dy) − y · mean(dy · y)) / σ
import { customOp, defineOp } from 'gradcheck';

const EPSILON = 1e-5;

const normalize = (x: import('gradcheck').Tensor) => {
  const centered = x.sub(x.mean(-1, true));
  const std = centered.square().mean(-1, true).add(EPSILON).sqrt();
  return { y: centered.div(std), std };
};

export const composed = defineOp({
  name: 'layer norm',
  inputs: { x: [8, 32] },
  forward: ({ x }) => normalize(x).y,
});

const layerNorm = customOp({
  name: 'layer norm',
  forward: (x) => normalize(x).y,
  backward: (grad, { inputs: [x], output: y }) => {
    const { std } = normalize(x);
    const meanGrad = grad.mean(-1, true);
    const meanGradY = grad.mul(y).mean(-1, true);
    return [grad.sub(meanGrad).sub(y.mul(meanGradY)).div(std)];
  },
});

export const handWritten = defineOp({
  name: 'layer norm (hand-written backward)',
  inputs: { x: [8, 32] },
  forward: ({ x }) => layerNorm(x),
});
