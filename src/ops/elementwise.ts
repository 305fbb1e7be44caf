// Elementwise ops. Each forward is a plain loop over Float64Array; each
// backward sits beside it and is written with Tensor ops, so that under
// createGraph it is recorded too and can be differentiated again.
import { allocate } from '../core/storage.ts';
import { Tensor, scalar } from '../core/tensor.ts';
import { record } from '../core/autograd.ts';
import { broadcastIndex, broadcastPattern, broadcastShapes, sameShape, sizeOf } from '../core/shape.ts';
import type { BroadcastPattern } from '../core/shape.ts';
import { sumToShape } from './reduce.ts';

type UnaryKernel = (x: Float64Array, out: Float64Array) => void;

function unary(op: string, x: Tensor, kernel: UnaryKernel, backward: (g: Tensor, out: Tensor) => Tensor): Tensor {
  const out = new Tensor(allocate(x.size), x.shape);
  kernel(x.data, out.data);
  return record(out, op, [x], (g) => [backward(g, out)]);
}

/** A constant with x's shape; masks make non-smooth ops piecewise linear. */
function constantLike(x: Tensor, f: (v: number) => number): Tensor {
  const d = allocate(x.size);
  for (let i = 0; i < d.length; i++) d[i] = f(x.data[i]);
  return new Tensor(d, x.shape);
}

// The forward loops live at module level: a call then allocates nothing but its output.
const kernels = {
  neg: (a, o) => { for (let i = 0; i < o.length; i++) o[i] = -a[i]; },
  exp: (a, o) => { for (let i = 0; i < o.length; i++) o[i] = Math.exp(a[i]); },
  log: (a, o) => { for (let i = 0; i < o.length; i++) o[i] = Math.log(a[i]); },
  sqrt: (a, o) => { for (let i = 0; i < o.length; i++) o[i] = Math.sqrt(a[i]); },
  tanh: (a, o) => { for (let i = 0; i < o.length; i++) o[i] = Math.tanh(a[i]); },
  sigmoid: (a, o) => { for (let i = 0; i < o.length; i++) o[i] = 1 / (1 + Math.exp(-a[i])); },
  abs: (a, o) => { for (let i = 0; i < o.length; i++) o[i] = Math.abs(a[i]); },
  relu: (a, o) => { for (let i = 0; i < o.length; i++) o[i] = a[i] > 0 ? a[i] : 0; },
} satisfies Record<string, UnaryKernel>;

export const neg = (x: Tensor): Tensor => unary('neg', x, kernels.neg, (g) => g.neg());

export const exp = (x: Tensor): Tensor => unary('exp', x, kernels.exp, (g, out) => g.mul(out));

export const log = (x: Tensor): Tensor => unary('log', x, kernels.log, (g) => g.div(x));

export const sqrt = (x: Tensor): Tensor => unary('sqrt', x, kernels.sqrt, (g, out) => g.div(out.mul(2)));

export const tanh = (x: Tensor): Tensor => unary('tanh', x, kernels.tanh, (g, out) => g.mul(out.square().neg().add(1)));

export const sigmoid = (x: Tensor): Tensor =>
  unary('sigmoid', x, kernels.sigmoid, (g, out) => g.mul(out.mul(out.neg().add(1))));

// Like PyTorch, the derivative at the kink is taken as 0.
export const abs = (x: Tensor): Tensor => unary('abs', x, kernels.abs, (g) => g.mul(constantLike(x, Math.sign)));

export const relu = (x: Tensor): Tensor =>
  unary('relu', x, kernels.relu, (g) => g.mul(constantLike(x, (v) => (v > 0 ? 1 : 0))));

export const pow = (x: Tensor, p: number): Tensor =>
  unary('pow', x, (a, o) => { for (let i = 0; i < o.length; i++) o[i] = Math.pow(a[i], p); },
    // p = 0 would give 0 * x^-1 = NaN at x = 0; the true derivative is 0.
    (g) => (p === 0 ? g.mul(0) : g.mul(x.pow(p - 1).mul(p))));

export const square = (x: Tensor): Tensor => x.mul(x);

// Binary ops broadcast NumPy-style. The layout says how the right operand b is read: 'same'
// shape, or one of the broadcast patterns that need no index map (`broadcastPattern`: scalar,
// tile, repeat), each a plain loop; any other broadcast reads both operands through cached index
// maps. The kernels live at module level, so a call allocates nothing but its output.
type Layout = { kind: 'same' } | BroadcastPattern | { kind: 'indexed'; ia: Int32Array; ib: Int32Array };
type BinaryKernel = (a: Float64Array, b: Float64Array, out: Float64Array, layout: Layout) => void;

const SAME: Layout = { kind: 'same' };

function binary(
  op: string,
  a: Tensor,
  other: Tensor | number,
  kernel: BinaryKernel,
  backward: (g: Tensor, out: Tensor, b: Tensor) => [Tensor | null, Tensor | null],
  label = op,
): Tensor {
  const b = typeof other === 'number' ? scalar(other) : other;
  let shape = a.shape;
  let layout: Layout = SAME;
  if (!sameShape(a.shape, b.shape)) {
    shape = broadcastShapes(a.shape, b.shape, label);
    layout = (sameShape(shape, a.shape) ? broadcastPattern(b.shape, shape) : undefined) ??
      { kind: 'indexed', ia: broadcastIndex(a.shape, shape), ib: broadcastIndex(b.shape, shape) };
  }
  const out = new Tensor(allocate(sizeOf(shape)), shape);
  kernel(a.data, b.data, out.data, layout);
  return record(out, op, [a, b], (g) => {
    const [ga, gb] = backward(g, out, b);
    return [ga && sumToShape(ga, a.shape), gb && sumToShape(gb, b.shape)];
  });
}

const addKernel: BinaryKernel = (x, y, o, layout) => {
  switch (layout.kind) {
    case 'same':
      for (let i = 0; i < o.length; i++) o[i] = x[i] + y[i];
      return;
    case 'scalar': {
      const v = y[0];
      for (let i = 0; i < o.length; i++) o[i] = x[i] + v;
      return;
    }
    case 'tile':
      for (let start = 0; start < o.length; start += layout.period) {
        for (let j = 0; j < layout.period; j++) o[start + j] = x[start + j] + y[j];
      }
      return;
    case 'repeat':
      for (let j = 0, i = 0; j < y.length; j++) {
        const v = y[j];
        for (let end = i + layout.count; i < end; i++) o[i] = x[i] + v;
      }
      return;
    case 'indexed': {
      const { ia, ib } = layout;
      for (let i = 0; i < o.length; i++) o[i] = x[ia[i]] + y[ib[i]];
    }
  }
};

const mulKernel: BinaryKernel = (x, y, o, layout) => {
  switch (layout.kind) {
    case 'same':
      for (let i = 0; i < o.length; i++) o[i] = x[i] * y[i];
      return;
    case 'scalar': {
      const v = y[0];
      for (let i = 0; i < o.length; i++) o[i] = x[i] * v;
      return;
    }
    case 'tile':
      for (let start = 0; start < o.length; start += layout.period) {
        for (let j = 0; j < layout.period; j++) o[start + j] = x[start + j] * y[j];
      }
      return;
    case 'repeat':
      for (let j = 0, i = 0; j < y.length; j++) {
        const v = y[j];
        for (let end = i + layout.count; i < end; i++) o[i] = x[i] * v;
      }
      return;
    case 'indexed': {
      const { ia, ib } = layout;
      for (let i = 0; i < o.length; i++) o[i] = x[ia[i]] * y[ib[i]];
    }
  }
};

const divKernel: BinaryKernel = (x, y, o, layout) => {
  switch (layout.kind) {
    case 'same':
      for (let i = 0; i < o.length; i++) o[i] = x[i] / y[i];
      return;
    case 'scalar': {
      const v = y[0];
      for (let i = 0; i < o.length; i++) o[i] = x[i] / v;
      return;
    }
    case 'tile':
      for (let start = 0; start < o.length; start += layout.period) {
        for (let j = 0; j < layout.period; j++) o[start + j] = x[start + j] / y[j];
      }
      return;
    case 'repeat':
      for (let j = 0, i = 0; j < y.length; j++) {
        const v = y[j];
        for (let end = i + layout.count; i < end; i++) o[i] = x[i] / v;
      }
      return;
    case 'indexed': {
      const { ia, ib } = layout;
      for (let i = 0; i < o.length; i++) o[i] = x[ia[i]] / y[ib[i]];
    }
  }
};

function addImpl(a: Tensor, b: Tensor | number, label: string): Tensor {
  return binary('add', a, b, addKernel, (g, _out, b) => [a.requiresGrad ? g : null, b.requiresGrad ? g : null], label);
}

export const add = (a: Tensor, b: Tensor | number): Tensor => addImpl(a, b, 'add');

export const sub = (a: Tensor, b: Tensor | number): Tensor =>
  addImpl(a, typeof b === 'number' ? -b : b.neg(), 'sub');

export const mul = (a: Tensor, b: Tensor | number): Tensor =>
  binary('mul', a, b, mulKernel, (g, _out, b) => [a.requiresGrad ? g.mul(b) : null, b.requiresGrad ? g.mul(a) : null]);

export const div = (a: Tensor, b: Tensor | number): Tensor =>
  binary('div', a, b, divKernel, (g, out, b) => [
    a.requiresGrad ? g.div(b) : null,
    // d(a/b)/db = -a/b^2 = -out/b
    b.requiresGrad ? g.mul(out).div(b).neg() : null,
  ]);
