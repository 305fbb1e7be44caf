// Running sums and products along one axis. Each position along the axis is `inner` apart, so the
// forward walks the axis a row of `inner` values at a time, every value adding (or multiplying) its
// predecessor's result: the order of operations is the sequential one, as in PyTorch.
import { allocate } from '../core/storage.ts';
import { Tensor } from '../core/tensor.ts';
import { record } from '../core/autograd.ts';
import { normalizeAxis, sizeOf } from '../core/shape.ts';
import { where } from './elementwise.ts';

interface Scan {
  axis: number;
  outer: number;
  length: number;
  inner: number;
}

function scanOf(x: Tensor, axis: number, op: string): Scan {
  const ax = normalizeAxis(axis, x.shape, op);
  return { axis: ax, outer: sizeOf(x.shape.slice(0, ax)), length: x.shape[ax], inner: sizeOf(x.shape.slice(ax + 1)) };
}

export function cumsum(x: Tensor, axis: number): Tensor {
  const { axis: ax, outer, length, inner } = scanOf(x, axis, 'cumsum');
  const out = new Tensor(allocate(x.size), x.shape);
  const src = x.data;
  const o = out.data;
  for (let a = 0; a < outer && length > 0; a++) {
    const base = a * length * inner;
    for (let j = base; j < base + inner; j++) o[j] = src[j];
    for (let p = base + inner; p < base + length * inner; p++) o[p] = o[p - inner] + src[p];
  }
  // Each input feeds every later output: its gradient is the sum of g from its position to the end.
  return record(out, 'cumsum', [x], (g) => [g.flip(ax).cumsum(ax).flip(ax)]);
}

/**
 * The backward, for y = cumprod(x) and cotangent g: dx_j = Σ_{k ≥ j} g_k · Π_{i ≤ k, i ≠ j} x_i.
 * Without zeros in x that is (the reversed cumsum of g·y) / x, as in PyTorch. With a zero the
 * division fails, so the product that omits x_j is computed as it is defined, as PyTorch does when
 * it must differentiate again: for every j at once, the cumprod of x with x_j replaced by 1, along a
 * new axis of length n (n times the work, only when x holds a zero). Both are tensor ops, so the
 * gradient can be differentiated again.
 */
export function cumprod(x: Tensor, axis: number): Tensor {
  const { axis: ax, outer, length, inner } = scanOf(x, axis, 'cumprod');
  const out = new Tensor(allocate(x.size), x.shape);
  const src = x.data;
  const o = out.data;
  for (let a = 0; a < outer && length > 0; a++) {
    const base = a * length * inner;
    for (let j = base; j < base + inner; j++) o[j] = src[j];
    for (let p = base + inner; p < base + length * inner; p++) o[p] = o[p - inner] * src[p];
  }
  return record(out, 'cumprod', [x], (g) => {
    if (length <= 1) return [g];
    if (!x.data.includes(0)) return [g.mul(out).flip(ax).cumsum(ax).flip(ax).div(x)];
    return [cumprodGradientWithZeros(x, g, ax)];
  });
}

function cumprodGradientWithZeros(x: Tensor, g: Tensor, ax: number): Tensor {
  const n = x.shape[ax];
  const trailing = new Array<number>(x.shape.length - ax - 1).fill(1);
  // Along the new axis ax (the omitted position j) and the old one, now ax + 1 (the position k):
  // replaced[j, k] = 1 where k = j, x_k elsewhere; later[j, k] = 1 where k ≥ j.
  const diagonal = allocate(n * n);
  const later = allocate(n * n);
  for (let j = 0; j < n; j++) {
    diagonal[j * n + j] = 1;
    for (let k = j; k < n; k++) later[j * n + k] = 1;
  }
  const square = [n, n, ...trailing];
  const replaced = where(new Tensor(diagonal, square), 1, x.unsqueeze(ax));
  const omitted = replaced.cumprod(ax + 1);
  return omitted.mul(g.unsqueeze(ax)).mul(new Tensor(later, square)).sum(ax + 1);
}
