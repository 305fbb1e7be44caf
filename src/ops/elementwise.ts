// Elementwise ops. Each forward is a plain loop over Float64Array; each
// backward sits beside it and is written with Tensor ops, so that under
// createGraph it is recorded too and can be differentiated again.
import { allocate } from '../core/storage.ts';
import { Tensor, scalar } from '../core/tensor.ts';
import { record } from '../core/autograd.ts';
import { ShapeError, broadcastIndex, broadcastPattern, broadcastShapes, formatShape, sameShape, sizeOf } from '../core/shape.ts';
import type { BroadcastPattern } from '../core/shape.ts';
import { sumToShape } from './reduce.ts';
import { erf as erfOf } from './erf.ts';

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
  sin: (a, o) => { for (let i = 0; i < o.length; i++) o[i] = Math.sin(a[i]); },
  cos: (a, o) => { for (let i = 0; i < o.length; i++) o[i] = Math.cos(a[i]); },
  tan: (a, o) => { for (let i = 0; i < o.length; i++) o[i] = Math.tan(a[i]); },
  erf: (a, o) => { for (let i = 0; i < o.length; i++) o[i] = erfOf(a[i]); },
  log1p: (a, o) => { for (let i = 0; i < o.length; i++) o[i] = Math.log1p(a[i]); },
  expm1: (a, o) => { for (let i = 0; i < o.length; i++) o[i] = Math.expm1(a[i]); },
  sign: (a, o) => { for (let i = 0; i < o.length; i++) o[i] = Math.sign(a[i]); },
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

export const sin = (x: Tensor): Tensor => unary('sin', x, kernels.sin, (g) => g.mul(x.cos()));

export const cos = (x: Tensor): Tensor => unary('cos', x, kernels.cos, (g) => g.mul(x.sin()).neg());

// Math.tan keeps the forward accurate near the poles, where sin/cos would not; d tan = 1 + tan².
export const tan = (x: Tensor): Tensor => unary('tan', x, kernels.tan, (g, out) => g.mul(out.square().add(1)));

const TWO_OVER_SQRT_PI = 1.1283791670955126;

export const erf = (x: Tensor): Tensor =>
  unary('erf', x, kernels.erf, (g) => g.mul(x.square().neg().exp().mul(TWO_OVER_SQRT_PI)));

export const log1p = (x: Tensor): Tensor => unary('log1p', x, kernels.log1p, (g) => g.div(x.add(1)));

export const expm1 = (x: Tensor): Tensor => unary('expm1', x, kernels.expm1, (g, out) => g.mul(out.add(1)));

// Piecewise constant: the gradient is 0 everywhere, the jump at 0 included (as in PyTorch).
export const sign = (x: Tensor): Tensor => unary('sign', x, kernels.sign, () => new Tensor(allocate(x.size), x.shape));

/**
 * Limits x to [min, max]; either bound may be left out. NaN stays NaN, and min > max gives max
 * everywhere (as in PyTorch). The gradient is 1 where min ≤ x ≤ max, the bounds included (PyTorch's
 * choice at the kinks), and 0 outside.
 */
export function clamp(x: Tensor, min?: number, max?: number): Tensor {
  if (min === undefined && max === undefined) throw new TypeError('clamp: give at least one of min and max');
  for (const [name, bound] of [['min', min], ['max', max]] as const) {
    if (bound !== undefined && typeof bound !== 'number') throw new TypeError(`clamp: ${name} must be a number, got ${typeof bound}`);
    if (Number.isNaN(bound)) throw new RangeError(`clamp: ${name} is NaN`);
  }
  const lo = min ?? -Infinity;
  const hi = max ?? Infinity;
  const kernel: UnaryKernel = (a, o) => {
    for (let i = 0; i < o.length; i++) {
      let v = a[i];
      if (v < lo) v = lo;
      if (v > hi) v = hi;
      o[i] = v;
    }
  };
  return unary('clamp', x, kernel, (g) => {
    const inside = allocate(x.size);
    const src = x.data;
    for (let i = 0; i < inside.length; i++) inside[i] = src[i] >= lo && src[i] <= hi ? 1 : 0;
    return g.mul(new Tensor(inside, x.shape));
  });
}

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

// maximum, minimum and where read each operand at the output's positions: directly when all shapes
// agree, else through cached index maps (an operand with the output's shape gets the identity map).
interface Broadcast {
  shape: number[];
  /** One map per operand; null when every operand has the output's shape. */
  index: Int32Array[] | null;
}

function broadcastOperands(operands: Tensor[], fail: () => ShapeError): Broadcast {
  let shape = operands[0].shape;
  for (let k = 1; k < operands.length; k++) {
    if (sameShape(shape, operands[k].shape)) continue;
    try {
      shape = broadcastShapes(shape, operands[k].shape);
    } catch {
      throw fail();
    }
  }
  if (operands.every((t) => sameShape(t.shape, shape))) return { shape, index: null };
  return { shape, index: operands.map((t) => broadcastIndex(t.shape, shape)) };
}

const asTensor = (v: Tensor | number): Tensor => (typeof v === 'number' ? scalar(v) : v);

/** The larger of each pair (NaN wins, as in PyTorch). */
function maximumKernel(x: Float64Array, y: Float64Array, o: Float64Array, index: Int32Array[] | null): void {
  if (index === null) {
    for (let i = 0; i < o.length; i++) {
      const u = x[i];
      const v = y[i];
      o[i] = u > v || u !== u ? u : v;
    }
    return;
  }
  const [ia, ib] = index;
  for (let i = 0; i < o.length; i++) {
    const u = x[ia[i]];
    const v = y[ib[i]];
    o[i] = u > v || u !== u ? u : v;
  }
}

/** The smaller of each pair (NaN wins). */
function minimumKernel(x: Float64Array, y: Float64Array, o: Float64Array, index: Int32Array[] | null): void {
  if (index === null) {
    for (let i = 0; i < o.length; i++) {
      const u = x[i];
      const v = y[i];
      o[i] = u < v || u !== u ? u : v;
    }
    return;
  }
  const [ia, ib] = index;
  for (let i = 0; i < o.length; i++) {
    const u = x[ia[i]];
    const v = y[ib[i]];
    o[i] = u < v || u !== u ? u : v;
  }
}

/**
 * maximum and minimum share their backward. PyTorch's rule: each operand gets g where it is the
 * one chosen, 0 where the other is, and g/2 where they are equal (so a tie splits the gradient,
 * and the sum of both gradients is g). The weights are constants, like relu's mask.
 */
function extremum(op: 'maximum' | 'minimum', a: Tensor, other: Tensor | number): Tensor {
  const b = asTensor(other);
  const { shape, index } = broadcastOperands([a, b], () =>
    new ShapeError(`${op}: cannot broadcast shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}`));
  const out = new Tensor(allocate(sizeOf(shape)), shape);
  (op === 'maximum' ? maximumKernel : minimumKernel)(a.data, b.data, out.data, index);
  return record(out, op, [a, b], (g) => {
    const wa = allocate(out.size);
    const wb = allocate(out.size);
    const x = a.data;
    const y = b.data;
    const larger = op === 'maximum';
    for (let i = 0; i < out.size; i++) {
      const u = x[index ? index[0][i] : i];
      const v = y[index ? index[1][i] : i];
      if (u === v) {
        wa[i] = 0.5;
        wb[i] = 0.5;
      } else {
        // As PyTorch writes it: zero an operand's share only where the other is strictly chosen (NaN: both get g).
        wa[i] = (larger ? u < v : u > v) ? 0 : 1;
        wb[i] = (larger ? u > v : u < v) ? 0 : 1;
      }
    }
    return [
      a.requiresGrad ? sumToShape(g.mul(new Tensor(wa, shape)), a.shape) : null,
      b.requiresGrad ? sumToShape(g.mul(new Tensor(wb, shape)), b.shape) : null,
    ];
  });
}

export const maximum = (a: Tensor, b: Tensor | number): Tensor => extremum('maximum', a, b);

export const minimum = (a: Tensor, b: Tensor | number): Tensor => extremum('minimum', a, b);

/**
 * a where `condition` is non-zero, b elsewhere; all three broadcast together. The condition is a
 * constant (no gradient); each branch gets g where it was chosen and 0 elsewhere, written with
 * `where` itself so that the backward is recorded too.
 */
export function where(condition: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  if (!(condition instanceof Tensor)) throw new TypeError(`where: the condition must be a Tensor, got ${typeof condition}`);
  const x = asTensor(a);
  const y = asTensor(b);
  const { shape, index } = broadcastOperands([condition, x, y], () =>
    new ShapeError(
      `where: cannot broadcast condition ${formatShape(condition.shape)}, a ${formatShape(x.shape)} and b ${formatShape(y.shape)}`,
    ));
  const out = new Tensor(allocate(sizeOf(shape)), shape);
  const c = condition.data;
  const u = x.data;
  const v = y.data;
  const o = out.data;
  if (index === null) {
    for (let i = 0; i < o.length; i++) o[i] = c[i] !== 0 ? u[i] : v[i];
  } else {
    const [ic, ia, ib] = index;
    for (let i = 0; i < o.length; i++) o[i] = c[ic[i]] !== 0 ? u[ia[i]] : v[ib[i]];
  }
  return record(out, 'where', [x, y], (g) => [
    x.requiresGrad ? sumToShape(where(condition, g, 0), x.shape) : null,
    y.requiresGrad ? sumToShape(where(condition, 0, g), y.shape) : null,
  ]);
}
