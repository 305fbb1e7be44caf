// An LSTM cell as one customOp with two outputs, the new hidden state h and cell state c, its
// backward written in tensor ops beside its forward (so --order 2 differentiates it again).
//   npx gradcheck run examples/lstm.ts
import { concat, customOp, defineOp } from 'gradcheck';
import type { Tensor } from 'gradcheck';

/** The gates from the input x and the previous h: input, forget, candidate, output. */
function gates(x: Tensor, h0: Tensor, w: Tensor, b: Tensor): Tensor[] {
  const n = h0.shape[1];
  const [i, f, g, o] = concat([x, h0], 1).matmul(w).add(b).split([n, n, n, n], 1);
  return [i.sigmoid(), f.sigmoid(), g.tanh(), o.sigmoid()];
}

const lstmCell = customOp({
  name: 'lstm cell',
  forward: (x: Tensor, h0: Tensor, c0: Tensor, w: Tensor, b: Tensor) => {
    const [i, f, g, o] = gates(x, h0, w, b);
    const c = f.mul(c0).add(i.mul(g));
    return [o.mul(c.tanh()), c];
  },
  // One gradient per output, null for an output nothing used.
  backward: ([dh, dc], { inputs: [x, h0, c0, w, b], output: [, c] }) => {
    const [i, f, g, o] = gates(x, h0, w, b);
    const tc = c.tanh();
    const dH = dh ?? c.mul(0);
    // c reaches the loss directly and through h = o · tanh(c).
    const dC = (dc ?? c.mul(0)).add(dH.mul(o).mul(tc.square().neg().add(1)));
    const sigmoidSlope = (s: Tensor) => s.mul(s.neg().add(1));
    const dz = concat([dC.mul(g).mul(sigmoidSlope(i)), dC.mul(c0).mul(sigmoidSlope(f)), dC.mul(i).mul(g.square().neg().add(1)), dH.mul(tc).mul(sigmoidSlope(o))], 1);
    const dxh = dz.matmul(w.transpose());
    const n = x.shape[1];
    return [dxh.narrow(1, 0, n), dxh.narrow(1, n, h0.shape[1]), dC.mul(f), concat([x, h0], 1).transpose().matmul(dz), dz.sum(0)];
  },
});

export const cell = defineOp({
  name: 'lstm cell',
  inputs: { x: ['batch', 3], h0: ['batch', 4], c0: ['batch', 4], w: { shape: [7, 16], low: -0.5, high: 0.5 }, b: [16] },
  dims: { batch: [1, 4] },
  // Each output gets its own cotangent, and is also checked with the other receiving none.
  forward: ({ x, h0, c0, w, b }) => {
    const [h, c] = lstmCell(x, h0, c0, w, b);
    return { h, c };
  },
});
