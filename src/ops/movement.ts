// Ops that only move values around.
import { allocate } from '../core/storage.ts';
import { Tensor } from '../core/tensor.ts';
import { record } from '../core/autograd.ts';
import { ShapeError, formatShape, normalizeAxis, permutedIndex, sizeOf } from '../core/shape.ts';

/** Copies rather than views, so perturbing the input cannot change an earlier output. */
export function reshape(x: Tensor, shape: number[]): Tensor {
  const holes = shape.filter((d) => d === -1).length;
  const known = sizeOf(shape.filter((d) => d !== -1));
  const bad = () => new ShapeError(`reshape: cannot reshape ${formatShape(x.shape)} (size ${x.size}) into ${formatShape(shape)}`);
  if (holes > 1 || shape.some((d) => !Number.isInteger(d) || d < -1)) throw bad();
  const target = holes === 1 ? shape.map((d) => (d === -1 ? (known === 0 ? 0 : x.size / known) : d)) : shape;
  if (!target.every(Number.isInteger) || sizeOf(target) !== x.size) throw bad();
  const out = new Tensor(x.data.slice(), target);
  return record(out, 'reshape', [x], (g) => [g.reshape(x.shape)]);
}

/** Permutes axes; the default reverses them. */
export function transpose(x: Tensor, axes?: number[]): Tensor {
  const nd = x.shape.length;
  const perm = axes ?? x.shape.map((_, i) => nd - 1 - i);
  const norm = perm.map((a) => (a < 0 ? a + nd : a));
  if (norm.length !== nd || !norm.every((a) => Number.isInteger(a) && a >= 0 && a < nd) || new Set(norm).size !== nd) {
    throw new ShapeError(`transpose: axes ${formatShape(perm)} are not a permutation of the axes of ${formatShape(x.shape)}`);
  }
  const idx = permutedIndex(x.shape, norm);
  const out = new Tensor(allocate(x.size), norm.map((a) => x.shape[a]));
  const src = x.data;
  const o = out.data;
  for (let i = 0; i < o.length; i++) o[i] = src[idx[i]];
  const inverse = new Array<number>(nd);
  norm.forEach((a, i) => (inverse[a] = i));
  return record(out, 'transpose', [x], (g) => [g.transpose(inverse)]);
}

/**
 * Slices of x along `axis` at integer `indices` (an embedding lookup, a gather): the output has
 * shape x.shape[:axis] + indices.shape + x.shape[axis + 1:]. Its backward adds each slice's gradient
 * back into place (scatterAdd), so an index that appears twice gets both contributions.
 */
export function gather(x: Tensor, indices: Tensor | ArrayLike<number>, axis = 0): Tensor {
  const ax = normalizeAxis(axis, x.shape, 'gather');
  const index = indices instanceof Tensor ? indices : new Tensor(Float64Array.from(indices), [indices.length]);
  const count = x.shape[ax];
  for (let i = 0; i < index.size; i++) {
    const v = index.data[i];
    if (!Number.isInteger(v) || v < 0 || v >= count) {
      throw new RangeError(`gather: index ${v} at position ${i} is not an integer in [0, ${count}) (axis ${ax} of shape ${formatShape(x.shape)})`);
    }
  }
  const outer = sizeOf(x.shape.slice(0, ax));
  const inner = sizeOf(x.shape.slice(ax + 1));
  const shape = [...x.shape.slice(0, ax), ...index.shape, ...x.shape.slice(ax + 1)];
  const out = new Tensor(allocate(sizeOf(shape)), shape);
  const src = x.data;
  const o = out.data;
  const picks = index.data;
  for (let a = 0, w = 0; a < outer; a++) {
    for (let p = 0; p < picks.length; p++) {
      const from = (a * count + picks[p]) * inner;
      for (let j = 0; j < inner; j++) o[w++] = src[from + j];
    }
  }
  const taken = Float64Array.from(picks);
  return record(out, 'gather', [x], (g) => [scatterAdd(g, taken, ax, x.shape)]);
}

/** gather's backward: the slices of g added into a zero tensor of `shape` at `indices` along `axis`. */
export function scatterAdd(g: Tensor, indices: Float64Array, axis: number, shape: number[]): Tensor {
  const count = shape[axis];
  const outer = sizeOf(shape.slice(0, axis));
  const inner = sizeOf(shape.slice(axis + 1));
  const out = new Tensor(allocate(sizeOf(shape)), shape);
  const o = out.data;
  const src = g.data;
  for (let a = 0, r = 0; a < outer; a++) {
    for (let p = 0; p < indices.length; p++) {
      const to = (a * count + indices[p]) * inner;
      for (let j = 0; j < inner; j++) o[to + j] += src[r++];
    }
  }
  return record(out, 'scatterAdd', [g], (gg) => [gather(gg, indices, axis).reshape(g.shape)]);
}
