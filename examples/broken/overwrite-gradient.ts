// BROKEN on purpose: a micrograd-style `mul` whose backward assigns (=) where it must accumulate
// (+=). For x * x both contributions land on the same node, and the second clobbers the first:
// the gradient of x² comes out as x instead of 2x.
import { defineOp } from 'gradcheck';

class Value {
  grad = 0;
  backwardStep: () => void = () => {};
  constructor(public data: number, readonly children: Value[] = []) {}

  mul(other: Value): Value {
    const out = new Value(this.data * other.data, [this, other]);
    out.backwardStep = () => {
      this.grad = other.data * out.grad; // bug: should be +=
      other.grad = this.data * out.grad; // bug: should be +=
    };
    return out;
  }
}

export const overwrite = defineOp({
  name: '= instead of +=',
  inputs: { x: [6] },
  evaluate: ({ x }) => x.map((v) => v * v),
  vjp: ({ x }, cotangent) => {
    const nodes = Array.from(x, (v) => new Value(v));
    const outputs = nodes.map((node) => node.mul(node));
    outputs.forEach((out, i) => {
      out.grad = cotangent[i];
      out.backwardStep();
    });
    return { x: nodes.map((node) => node.grad) };
  },
});
