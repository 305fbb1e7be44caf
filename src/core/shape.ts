// Shape helpers shared by every op. Index maps are cached because the
// finite-difference checker re-runs the same forward, with the same shapes,
// thousands of times.

export class ShapeError extends Error {
  override name = 'ShapeError';
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** NumPy broadcasting: align from the right, dims must match or be 1. */
export function broadcastShapes(a: readonly number[], b: readonly number[], op = 'broadcastShapes'): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(`${op}: cannot broadcast shapes ${formatShape(a)} and ${formatShape(b)}`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Whether `from` broadcasts to exactly `to` (dims match or are 1, aligned from the right). */
export function broadcastsTo(from: readonly number[], to: readonly number[]): boolean {
  const lead = to.length - from.length;
  if (lead < 0) return false;
  for (let d = 0; d < from.length; d++) if (from[d] !== 1 && from[d] !== to[lead + d]) return false;
  return true;
}

/**
 * The broadcasts of `from` to `to` that need no index map, for the shapes the checker meets
 * thousands of times: 'scalar', one element everywhere; 'tile', `from` repeated along leading axes
 * (a bias [32] against [4, 32]), so position i reads i % period; 'repeat', each element of `from`
 * repeated along trailing axes (a keepDims reduction [8, 1] against [8, 10]), so position i reads
 * floor(i / count). Anything else is undefined. `from` must broadcast to `to`.
 */
export type BroadcastPattern = { kind: 'scalar' } | { kind: 'tile'; period: number } | { kind: 'repeat'; count: number };

const SCALAR_PATTERN: BroadcastPattern = { kind: 'scalar' };

export function broadcastPattern(from: readonly number[], to: readonly number[]): BroadcastPattern | undefined {
  const size = sizeOf(from);
  if (size === 1) return SCALAR_PATTERN;
  const lead = to.length - from.length;
  let first = 0;
  while (first < from.length && from[first] === 1) first++;
  let tiles = true;
  for (let d = first; d < from.length; d++) if (from[d] !== to[lead + d]) tiles = false;
  if (tiles) return { kind: 'tile', period: size };
  if (lead !== 0) return undefined;
  let last = from.length;
  while (last > 0 && from[last - 1] === 1) last--;
  for (let d = 0; d < last; d++) if (from[d] !== to[d]) return undefined;
  return { kind: 'repeat', count: sizeOf(to) / size };
}

/** Sorted, de-duplicated, non-negative axes; `undefined` means every axis. */
export function normalizeAxes(axis: number | number[] | undefined, shape: readonly number[], op: string): number[] {
  const nd = shape.length;
  if (axis === undefined) return Array.from({ length: nd }, (_, i) => i);
  const axes = typeof axis === 'number' ? [axis] : axis;
  const seen = new Set<number>();
  for (const a of axes) {
    if (!Number.isInteger(a) || a < -nd || a >= nd) {
      throw new ShapeError(`${op}: axis ${a} is out of range for shape ${formatShape(shape)}`);
    }
    const pos = a < 0 ? a + nd : a;
    if (seen.has(pos)) throw new ShapeError(`${op}: axis ${a} repeated for shape ${formatShape(shape)}`);
    seen.add(pos);
  }
  return [...seen].sort((x, y) => x - y);
}

export function normalizeAxis(axis: number, shape: readonly number[], op: string): number {
  return normalizeAxes(axis, shape, op)[0];
}

function contiguousStrides(shape: readonly number[]): number[] {
  const st = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    st[d] = s;
    s *= shape[d];
  }
  return st;
}

/** For each row-major position in `shape`, the offset given by `strides`, from `base`. */
function stridedIndex(shape: readonly number[], strides: readonly number[], base = 0): Int32Array {
  const nd = shape.length;
  const idx = new Int32Array(sizeOf(shape));
  const counter = new Int32Array(nd);
  let off = base;
  for (let i = 0; i < idx.length; i++) {
    idx[i] = off;
    for (let d = nd - 1; d >= 0; d--) {
      counter[d]++;
      off += strides[d];
      if (counter[d] < shape[d]) break;
      off -= strides[d] * shape[d];
      counter[d] = 0;
    }
  }
  return idx;
}

const indexCache = new Map<string, Int32Array>();

function cached(key: string, build: () => Int32Array): Int32Array {
  let idx = indexCache.get(key);
  if (idx === undefined) {
    if (indexCache.size > 1024) indexCache.clear();
    idx = build();
    indexCache.set(key, idx);
  }
  return idx;
}

/**
 * For each row-major position of `to`, the flat offset of the element of a
 * `from`-shaped array that broadcasting reads there. Reading through it
 * expands; scattering with += through it sums back (reductions use it too).
 * Callers must not mutate the returned (cached) array. Throws a ShapeError when `from` does not
 * broadcast to `to`.
 */
export function broadcastIndex(from: readonly number[], to: readonly number[]): Int32Array {
  return cached(`b${from.join(',')}>${to.join(',')}`, () => {
    // Checked once per pair of shapes, when the map is built: a cached pair is known to broadcast.
    const lead = to.length - from.length;
    if (lead < 0 || from.some((d, i) => d !== 1 && d !== to[lead + i])) {
      throw new ShapeError(`cannot broadcast shape ${formatShape(from)} to ${formatShape(to)}`);
    }
    const own = contiguousStrides(from);
    const strides = to.map((_, d) => (d < lead || from[d - lead] === 1 ? 0 : own[d - lead]));
    return stridedIndex(to, strides);
  });
}

/** For each row-major position of the transposed array, its offset in the source. */
export function permutedIndex(shape: readonly number[], axes: readonly number[]): Int32Array {
  return cached(`p${shape.join(',')}>${axes.join(',')}`, () => {
    const own = contiguousStrides(shape);
    return stridedIndex(axes.map((a) => shape[a]), axes.map((a) => own[a]));
  });
}

/** Row-major flat index to one index per axis. */
export function unravelIndex(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    index[axis] = flat % shape[axis];
    flat = Math.floor(flat / shape[axis]);
  }
  return index;
}

/**
 * For each row-major position of a `block`-shaped array, its offset in an `outer`-shaped one when
 * the block's first element sits at offset 0 (add the corner's offset): how pad writes its input
 * into the padded output, and how narrow reads its slice out.
 */
export function embeddedIndex(block: readonly number[], outer: readonly number[]): Int32Array {
  return cached(`e${block.join(',')}>${outer.join(',')}`, () => stridedIndex(block, contiguousStrides(outer)));
}

/** For each row-major position of the array flipped along `axes` (sorted, non-negative), its offset in the source. */
export function flippedIndex(shape: readonly number[], axes: readonly number[]): Int32Array {
  return cached(`f${shape.join(',')}>${axes.join(',')}`, () => {
    const strides = contiguousStrides(shape);
    let base = 0;
    for (const a of axes) {
      base += (shape[a] - 1) * strides[a];
      strides[a] = -strides[a];
    }
    return stridedIndex(shape, strides, base);
  });
}
