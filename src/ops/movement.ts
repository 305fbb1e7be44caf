// Ops that only move values around.
import { allocate } from '../core/storage.ts';
import { Tensor } from '../core/tensor.ts';
import { record } from '../core/autograd.ts';
import {
  ShapeError, embeddedIndex, flippedIndex, formatShape, normalizeAxes, normalizeAxis, permutedIndex, sizeOf,
} from '../core/shape.ts';

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

// narrow and pad are each other's backward, through the two primitives below: `crop` reads a block
// of x out at `starts`, and `padded` writes x into a larger array of `value`. Both go through one
// cached index map, the block's positions in the larger array's layout.

/** Offset of the element at `position` in a row-major array of `shape`. */
function offsetOf(position: readonly number[], shape: readonly number[]): number {
  let offset = 0;
  for (let d = 0; d < shape.length; d++) offset = offset * shape[d] + position[d];
  return offset;
}

function crop(x: Tensor, starts: number[], shape: number[]): Tensor {
  const out = new Tensor(allocate(sizeOf(shape)), shape);
  const idx = embeddedIndex(shape, x.shape);
  const base = offsetOf(starts, x.shape);
  const src = x.data;
  const o = out.data;
  for (let i = 0; i < o.length; i++) o[i] = src[base + idx[i]];
  const widths = shape.map((d, k): [number, number] => [starts[k], x.shape[k] - starts[k] - d]);
  return record(out, 'narrow', [x], (g) => [padded(g, widths, 0)]);
}

function padded(x: Tensor, widths: [number, number][], value: number): Tensor {
  const starts = widths.map(([before]) => before);
  const shape = x.shape.map((d, k) => widths[k][0] + d + widths[k][1]);
  const out = new Tensor(allocate(sizeOf(shape)), shape);
  const o = out.data;
  if (value !== 0) o.fill(value);
  const idx = embeddedIndex(x.shape, shape);
  const base = offsetOf(starts, shape);
  const src = x.data;
  for (let i = 0; i < src.length; i++) o[base + idx[i]] = src[i];
  // The padding is a constant: only x's own values carry a gradient back.
  return record(out, 'pad', [x], (g) => [crop(g, starts, x.shape)]);
}

/** The `length` values from `start` along `axis` (a negative axis or start counts from the end); a copy. */
export function narrow(x: Tensor, axis: number, start: number, length: number): Tensor {
  const ax = normalizeAxis(axis, x.shape, 'narrow');
  const n = x.shape[ax];
  if (!Number.isInteger(start) || !Number.isInteger(length)) {
    throw new RangeError(`narrow: start ${start} and length ${length} must be integers`);
  }
  const first = start < 0 ? start + n : start;
  if (first < 0 || length < 0 || first + length > n) {
    throw new RangeError(`narrow: start ${start} and length ${length} do not fit axis ${axis} of size ${n} (shape ${formatShape(x.shape)})`);
  }
  const starts = x.shape.map((_, k) => (k === ax ? first : 0));
  const shape = x.shape.map((d, k) => (k === ax ? length : d));
  return crop(x, starts, shape);
}

/** x with `widths[axis] = [before, after]` values of `value` added on each side of every axis. */
export function pad(x: Tensor, widths: readonly (readonly [number, number])[], value = 0): Tensor {
  const nd = x.shape.length;
  if (!Array.isArray(widths as unknown) || widths.length !== nd) {
    const count = Array.isArray(widths as unknown) ? `${widths.length} pair${widths.length === 1 ? '' : 's'}` : typeof widths;
    throw new ShapeError(`pad: widths has ${count} for shape ${formatShape(x.shape)} (${nd} axes); give one [before, after] per axis`);
  }
  widths.forEach((pair, k) => {
    if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((w) => Number.isInteger(w) && w >= 0)) {
      throw new RangeError(`pad: widths[${k}] is ${JSON.stringify(pair)}; each must be [before, after], non-negative integers`);
    }
  });
  if (typeof value !== 'number') throw new TypeError(`pad: value must be a number, got ${typeof value}`);
  return padded(x, widths.map(([before, after]): [number, number] => [before, after]), value);
}

/** The tensors joined along `axis` (a negative axis counts from the end); all other sizes must agree. */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(tensors as unknown) || tensors.length === 0) throw new RangeError('concat: needs a non-empty array of tensors');
  tensors.forEach((t, k) => {
    if (!(t instanceof Tensor)) throw new TypeError(`concat: item ${k} is not a Tensor`);
  });
  const first = tensors[0];
  if (first.shape.length === 0) throw new ShapeError('concat: cannot concatenate 0-d tensors (tensor 0 has shape [])');
  const ax = normalizeAxis(axis, first.shape, 'concat');
  tensors.forEach((t, k) => {
    if (t.shape.length !== first.shape.length || t.shape.some((d, i) => i !== ax && d !== first.shape[i])) {
      throw new ShapeError(
        `concat: tensor ${k} has shape ${formatShape(t.shape)}, which does not match tensor 0's shape ${formatShape(first.shape)} outside axis ${axis}`,
      );
    }
  });
  const lengths = tensors.map((t) => t.shape[ax]);
  const shape = first.shape.map((d, k) => (k === ax ? lengths.reduce((a, b) => a + b, 0) : d));
  const outer = sizeOf(first.shape.slice(0, ax));
  const inner = sizeOf(first.shape.slice(ax + 1));
  const out = new Tensor(allocate(sizeOf(shape)), shape);
  const o = out.data;
  for (let a = 0, w = 0; a < outer; a++) {
    for (let k = 0; k < tensors.length; k++) {
      const src = tensors[k].data;
      const block = lengths[k] * inner;
      for (let j = a * block; j < (a + 1) * block; j++) o[w++] = src[j];
    }
  }
  const starts = lengths.map((_, k) => lengths.slice(0, k).reduce((a, b) => a + b, 0));
  return record(out, 'concat', tensors.slice(), (g) =>
    tensors.map((t, k) => (t.requiresGrad ? g.narrow(ax, starts[k], lengths[k]) : null)));
}

/** The tensors (all of one shape) stacked along a new axis at `axis`, which may be -(rank + 1)..rank. */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(tensors as unknown) || tensors.length === 0) throw new RangeError('stack: needs a non-empty array of tensors');
  tensors.forEach((t, k) => {
    if (!(t instanceof Tensor)) throw new TypeError(`stack: item ${k} is not a Tensor`);
    if (t.shape.length !== tensors[0].shape.length || t.shape.some((d, i) => d !== tensors[0].shape[i])) {
      throw new ShapeError(`stack: tensor ${k} has shape ${formatShape(t.shape)}, but tensor 0 has shape ${formatShape(tensors[0].shape)} (stack needs equal shapes)`);
    }
  });
  const at = newAxis(tensors[0].shape, axis, 'stack');
  return concat(tensors.map((t) => t.unsqueeze(at)), at);
}

/**
 * Pieces of x along `axis`, as torch.split: `sizes` a number cuts chunks of that size (the last may
 * be smaller); an array gives each piece's size, and must add up to the axis's size.
 */
export function split(x: Tensor, sizes: number | readonly number[], axis = 0): Tensor[] {
  const ax = normalizeAxis(axis, x.shape, 'split');
  const n = x.shape[ax];
  let lengths: number[];
  if (typeof sizes === 'number') {
    if (!Number.isInteger(sizes) || sizes <= 0) throw new RangeError(`split: chunk size ${sizes} must be a positive integer`);
    lengths = [];
    for (let start = 0; start < n; start += sizes) lengths.push(Math.min(sizes, n - start));
    if (n === 0) lengths.push(0);
  } else {
    if (!Array.isArray(sizes as unknown) || !sizes.every((s) => Number.isInteger(s) && s >= 0)) {
      throw new RangeError(`split: sizes ${JSON.stringify(sizes)} must be non-negative integers`);
    }
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total !== n) {
      throw new ShapeError(`split: sizes ${formatShape(sizes)} add up to ${total}, but axis ${axis} of shape ${formatShape(x.shape)} has size ${n}`);
    }
    lengths = sizes.slice();
  }
  let start = 0;
  return lengths.map((length) => {
    const piece = narrow(x, ax, start, length);
    start += length;
    return piece;
  });
}

/** x reversed along each of `axes`; its own backward. */
export function flip(x: Tensor, axes: number | readonly number[]): Tensor {
  const norm = normalizeAxes(typeof axes === 'number' ? axes : axes.slice(), x.shape, 'flip');
  const idx = flippedIndex(x.shape, norm);
  const out = new Tensor(allocate(x.size), x.shape);
  const src = x.data;
  const o = out.data;
  for (let i = 0; i < o.length; i++) o[i] = src[idx[i]];
  return record(out, 'flip', [x], (g) => [flip(g, norm)]);
}

/** x without the size-1 axes among `axis` (all of them by default); as in PyTorch, naming an axis whose size is not 1 leaves it. */
export function squeeze(x: Tensor, axis?: number | readonly number[]): Tensor {
  const named = axis === undefined ? undefined : normalizeAxes(typeof axis === 'number' ? axis : axis.slice(), x.shape, 'squeeze');
  return reshape(x, x.shape.filter((d, k) => !(d === 1 && (named === undefined || named.includes(k)))));
}

/** Where a new axis goes in an array of `shape`: -(rank + 1)..rank, a negative one counting from the end. */
function newAxis(shape: readonly number[], axis: number, op: string): number {
  const nd = shape.length;
  if (!Number.isInteger(axis) || axis < -(nd + 1) || axis > nd) {
    throw new ShapeError(`${op}: axis ${axis} is out of range for shape ${formatShape(shape)} (a new axis goes at ${-(nd + 1)}..${nd})`);
  }
  return axis < 0 ? axis + nd + 1 : axis;
}

/** x with a new axis of size 1 at `axis`. */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  const at = newAxis(x.shape, axis, 'unsqueeze');
  return reshape(x, [...x.shape.slice(0, at), 1, ...x.shape.slice(at)]);
}
