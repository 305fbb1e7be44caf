// Storage for tensor data. A Float64Array of more than 64 bytes gets its own backing store outside
// V8's heap, and creating one costs ~2.5 µs (measured on Node 20: 2.8 µs for 128 elements), longer
// than the loop of most ops on a small tensor; a check evaluates a small op's forward thousands of
// times. So small arrays are carved as views out of shared 64 KB slabs instead (~0.1 µs for 128
// elements). A view never shares memory with another: a slab is only ever handed out forward, and
// it is freed when the last view into it is collected.
const SLAB_BYTES = 1 << 16;
/** Larger arrays get their own buffer: 1024 elements (8 KB) fill an eighth of a slab at most. */
const SLAB_MAX_ELEMENTS = 1024;

let slab = new ArrayBuffer(SLAB_BYTES);
let used = 0;

/** A zero-filled Float64Array of `length` elements. */
export function allocate(length: number): Float64Array {
  if (length > SLAB_MAX_ELEMENTS) return new Float64Array(length);
  const bytes = length * 8;
  if (used + bytes > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    used = 0;
  }
  const view = new Float64Array(slab, used, length);
  used += bytes;
  return view;
}
