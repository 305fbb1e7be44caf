// sort and topk: the forward finds, for every slice along the axis, the order of its values; the
// values are then read out by the existing gather on the flattened tensor, at those flat positions.
// So the backward is gather's (scatterAdd, whose backward is gather again), and each output value's
// gradient goes back to the one input it came from, at any order.
import { Tensor } from '../core/tensor.ts';
import { formatShape, normalizeAxis, sizeOf } from '../core/shape.ts';

/**
 * Flat positions in x of the first `count` values of each slice along `ax`, in order: ascending
 * with NaN last, or descending with NaN first (NaN counts as the largest, as in PyTorch). Equal
 * values keep their order in x (a stable sort), so a tie's gradients go in that order too.
 */
function order(x: Tensor, ax: number, descending: boolean, count: number): Tensor {
  const n = x.shape[ax];
  const outer = sizeOf(x.shape.slice(0, ax));
  const inner = sizeOf(x.shape.slice(ax + 1));
  const shape = x.shape.map((d, k) => (k === ax ? count : d));
  const flat = new Float64Array(sizeOf(shape));
  const values = new Float64Array(n);
  const positions = new Array<number>(n);
  const sign = descending ? -1 : 1;
  const compare = (i: number, j: number): number => {
    const u = values[i];
    const v = values[j];
    if (u < v) return -sign;
    if (u > v) return sign;
    if (u === v) return i - j;
    if (u !== u && v !== v) return i - j;
    return u !== u ? sign : -sign;
  };
  const src = x.data;
  for (let a = 0; a < outer; a++) {
    for (let j = 0; j < inner; j++) {
      const first = a * n * inner + j;
      for (let r = 0; r < n; r++) {
        values[r] = src[first + r * inner];
        positions[r] = r;
      }
      positions.sort(compare);
      for (let r = 0; r < count; r++) flat[(a * count + r) * inner + j] = first + positions[r] * inner;
    }
  }
  return new Tensor(flat, shape);
}

/** The values of x sorted along `axis` (ascending unless `descending`); PyTorch's sort(...).values. */
export function sort(x: Tensor, axis = -1, descending = false): Tensor {
  const ax = normalizeAxis(axis, x.shape, 'sort');
  return x.reshape([-1]).gather(order(x, ax, descending, x.shape[ax]));
}

/** The k largest values along `axis` (smallest when `largest` is false), largest first; PyTorch's topk(...).values. */
export function topk(x: Tensor, k: number, axis = -1, largest = true): Tensor {
  const ax = normalizeAxis(axis, x.shape, 'topk');
  const n = x.shape[ax];
  if (!Number.isInteger(k) || k < 0 || k > n) {
    throw new RangeError(`topk: k ${k} is out of range for axis ${axis} of size ${n} (shape ${formatShape(x.shape)})`);
  }
  return x.reshape([-1]).gather(order(x, ax, largest, k));
}
