// Any engine can be checked through `evaluate`/`vjp`: plain arrays in and out. Here, a
// micrograd-style scalar engine (after karpathy/micrograd) computing one tanh neuron per row.
import { defineOp } from 'gradcheck';

class Value {
  grad = 0;
  backwardStep: () => void = () => {};
  constructor(public data: number, readonly children: Value[] = []) {}

  add(other: Value): Value {
    const out = new Value(this.data + other.data, [this, other]);
    out.backwardStep = () => {
      this.grad += out.grad;
      other.grad += out.grad;
    };
    return out;
  }

  mul(other: Value): Value {
    const out = new Value(this.data * other.data, [this, other]);
    out.backwardStep = () => {
      this.grad += other.data * out.grad;
      other.grad += this.data * out.grad;
    };
    return out;
  }

  tanh(): Value {
    const t = Math.tanh(this.data);
    const out = new Value(t, [this]);
    out.backwardStep = () => {
      this.grad += (1 - t * t) * out.grad;
    };
    return out;
  }

  /** Reverse topological order, each node's step once; the caller seeds the outputs' grads. */
  static backward(outputs: Value[]): void {
    const order: Value[] = [];
    const seen = new Set<Value>();
    const visit = (node: Value): void => {
      if (seen.has(node)) return;
      seen.add(node);
      node.children.forEach(visit);
      order.push(node);
    };
    outputs.forEach(visit);
    for (const node of order.reverse()) node.backwardStep();
  }
}

const ROWS = 4;
const FEATURES = 3;

/** One neuron applied to each row of x: tanh(x · w + b) · x₀ (x feeds the graph twice). */
function neuron(x: Value[], w: Value[], b: Value): Value[] {
  const outputs: Value[] = [];
  for (let row = 0; row < ROWS; row++) {
    let sum = b;
    for (let j = 0; j < FEATURES; j++) sum = sum.add(x[row * FEATURES + j].mul(w[j]));
    outputs.push(sum.tanh().mul(x[row * FEATURES]));
  }
  return outputs;
}

const values = (array: Float64Array) => Array.from(array, (v) => new Value(v));

export const micrograd = defineOp({
  name: 'micrograd neuron',
  inputs: { x: [ROWS, FEATURES], w: [FEATURES], b: [1] },
  evaluate: ({ x, w, b }) => neuron(values(x), values(w), new Value(b[0])).map((out) => out.data),
  vjp: ({ x, w, b }, cotangent) => {
    const [xs, ws, bias] = [values(x), values(w), new Value(b[0])];
    const outputs = neuron(xs, ws, bias);
    outputs.forEach((out, i) => (out.grad = cotangent[i]));
    Value.backward(outputs);
    return { x: xs.map((v) => v.grad), w: ws.map((v) => v.grad), b: [bias.grad] };
  },
});

// The contract's smallest engine example: elementwise tanh with its derivative written by hand.
export const external = defineOp({
  name: 'my engine',
  inputs: { x: [8] },
  evaluate: ({ x }) => x.map(Math.tanh),
  vjp: ({ x }, cotangent) => ({ x: x.map((v, i) => cotangent[i] * (1 - Math.tanh(v) ** 2)) }),
});
