// Broadcasting and reductions. expand and sumToShape are each other's
// backward; sum is sumToShape onto a keepDims shape, so there is exactly one
// place where broadcasting is undone.
import { allocate } from '../core/storage.ts';
import { Tensor } from '../core/tensor.ts';
import { noGrad, record } from '../core/autograd.ts';
import { ShapeError, broadcastIndex, broadcastPattern, broadcastsTo, formatShape, normalizeAxes, sameShape, sizeOf } from '../core/shape.ts';

/** Broadcasts x up to `shape` (materialized; tensors here are small). */
export function expand(x: Tensor, shape: number[]): Tensor {
  if (sameShape(x.shape, shape)) return x;
  if (!broadcastsTo(x.shape, shape)) {
    throw new ShapeError(`expand: cannot broadcast shape ${formatShape(x.shape)} to ${formatShape(shape)}`);
  }
  const out = new Tensor(allocate(sizeOf(shape)), shape);
  const src = x.data;
  const o = out.data;
  const pattern = broadcastPattern(x.shape, shape);
  if (pattern?.kind === 'scalar') o.fill(src[0]);
  else if (pattern?.kind === 'tile') for (let start = 0; start < o.length; start += pattern.period) o.set(src, start);
  else if (pattern?.kind === 'repeat') for (let j = 0; j < src.length; j++) o.fill(src[j], j * pattern.count, (j + 1) * pattern.count);
  else {
    const idx = broadcastIndex(x.shape, shape);
    for (let i = 0; i < o.length; i++) o[i] = src[idx[i]];
  }
  return record(out, 'expand', [x], (g) => [sumToShape(g, x.shape)]);
}

/** Sums a broadcast gradient back down to an input's shape (and, through `sum`, every reduction). */
export function sumToShape(grad: Tensor, shape: number[]): Tensor {
  if (sameShape(grad.shape, shape)) return grad;
  if (!broadcastsTo(shape, grad.shape)) {
    throw new ShapeError(`sumToShape: cannot reduce shape ${formatShape(grad.shape)} to ${formatShape(shape)}`);
  }
  const out = new Tensor(allocate(sizeOf(shape)), shape);
  const g = grad.data;
  const o = out.data;
  const pattern = broadcastPattern(shape, grad.shape);
  if (pattern?.kind === 'scalar') {
    let total = 0;
    for (let i = 0; i < g.length; i++) total += g[i];
    o[0] = total;
  } else if (pattern?.kind === 'tile') {
    for (let start = 0; start < g.length; start += pattern.period) {
      for (let j = 0; j < pattern.period; j++) o[j] += g[start + j];
    }
  } else if (pattern?.kind === 'repeat') {
    for (let j = 0, i = 0; j < o.length; j++) {
      let total = 0;
      for (const end = i + pattern.count; i < end; i++) total += g[i];
      o[j] = total;
    }
  } else {
    const idx = broadcastIndex(shape, grad.shape);
    for (let i = 0; i < g.length; i++) o[idx[i]] += g[i];
  }
  return record(out, 'sumToShape', [grad], (gg) => [expand(gg, grad.shape)]);
}

function reducedShapes(x: Tensor, axis: number | number[] | undefined, op: string): { kept: number[]; dropped: number[] } {
  const axes = normalizeAxes(axis, x.shape, op);
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const dropped = x.shape.filter((_, i) => !axes.includes(i));
  return { kept, dropped };
}

export function sum(x: Tensor, axis?: number | number[], keepDims = false): Tensor {
  const { kept, dropped } = reducedShapes(x, axis, 'sum');
  const s = sumToShape(x, kept);
  return keepDims ? s : s.reshape(dropped);
}

export function mean(x: Tensor, axis?: number | number[], keepDims = false): Tensor {
  const s = sum(x, axis, keepDims);
  return s.mul(s.size / x.size);
}

/** Gradient flows only to the first maximum along the reduced axes (numpy argmax). */
export function max(x: Tensor, axis?: number | number[], keepDims = false): Tensor {
  const { kept, dropped } = reducedShapes(x, axis, 'max');
  if (x.size === 0) throw new ShapeError(`max: cannot reduce empty tensor of shape ${formatShape(x.shape)}`);
  const idx = broadcastIndex(kept, x.shape);
  const out = new Tensor(allocate(sizeOf(kept)), kept);
  const argmax = new Int32Array(out.size).fill(-1);
  const src = x.data;
  const o = out.data;
  for (let i = 0; i < src.length; i++) {
    const j = idx[i];
    const v = src[i];
    // NaN wins so it propagates, as in numpy.
    if (argmax[j] < 0 || v > o[j] || (v !== v && o[j] === o[j])) {
      o[j] = v;
      argmax[j] = i;
    }
  }
  const m = record(out, 'max', [x], (g) => {
    const mask = allocate(x.size);
    for (const i of argmax) mask[i] = 1;
    return [expand(g, x.shape).mul(new Tensor(mask, x.shape))];
  });
  return keepDims ? m : m.reshape(dropped);
}

/** −max(−x): the gradient flows only to the first minimum along the reduced axes, as max's does. */
export function min(x: Tensor, axis?: number | number[], keepDims = false): Tensor {
  normalizeAxes(axis, x.shape, 'min');
  if (x.size === 0) throw new ShapeError(`min: cannot reduce empty tensor of shape ${formatShape(x.shape)}`);
  return x.neg().max(axis, keepDims).neg();
}

/**
 * log Σ exp(x) over the axes (all by default), with the max subtracted first so exp cannot
 * overflow: m + log Σ exp(x − m) holds for any constant m, so m is taken untracked and the gradient
 * (softmax(x) along the axes) comes from the composite. Where the max is ±∞ (a slice all −∞, or
 * holding +∞) m is 0 instead, as in PyTorch, so the result is −∞ or +∞ rather than NaN.
 */
export function logsumexp(x: Tensor, axis?: number | number[], keepDims = false): Tensor {
  const { kept, dropped } = reducedShapes(x, axis, 'logsumexp');
  if (x.size === 0) throw new ShapeError(`logsumexp: cannot reduce empty tensor of shape ${formatShape(x.shape)}`);
  const m = noGrad(() => x.max(axis, true));
  const shift = m.data;
  for (let i = 0; i < shift.length; i++) if (shift[i] === Infinity || shift[i] === -Infinity) shift[i] = 0;
  const s = sumToShape(x.sub(m).exp(), kept).log().add(m);
  return keepDims ? s : s.reshape(dropped);
}
