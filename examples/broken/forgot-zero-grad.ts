// BROKEN on purpose: the model's parameters live across calls and their gradients are never
// zeroed, so each backward adds to the last one. The first answer is right; the second is 2×.
import { defineOp } from 'gradcheck';

class Param {
  grad = 0;
  constructor(public data: number) {}
}

const weights = Array.from({ length: 5 }, () => new Param(0));

function load(w: Float64Array): void {
  w.forEach((value, i) => (weights[i].data = value));
}

export const forgotZeroGrad = defineOp({
  name: 'forgot zero_grad',
  inputs: { w: [5] },
  evaluate: ({ w }) => {
    load(w);
    return weights.reduce((sum, p) => sum + Math.tanh(p.data), 0);
  },
  vjp: ({ w }, [seed]) => {
    load(w);
    // Bug: a training step must start with `for (const p of weights) p.grad = 0;`
    for (const p of weights) p.grad += seed * (1 - Math.tanh(p.data) ** 2);
    return { w: weights.map((p) => p.grad) };
  },
});
