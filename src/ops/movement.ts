// Ops that only move values around.
import { allocate } from '../core/storage.ts';
import { Tensor } from '../core/tensor.ts';
import { record } from '../core/autograd.ts';
import { ShapeError, formatShape, permutedIndex, sizeOf } from '../core/shape.ts';

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
