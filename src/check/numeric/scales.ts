// Each element's step scale. By default max(|x|, 1): steps relative to large elements, absolute
// for small ones. An input declared with a domain [lo, hi] (log's and sqrt's [0, ∞)) is differenced
// at no more than its distance to the nearest edge, so no step leaves the domain, and an element at
// 1e-6 above 0 gets steps of its own size: it is checked as accurately as an element at 1.
const caps = new WeakMap<Float64Array, Float64Array>();

/** Marks x as bounded by `domain`: each element's scale is capped at its distance to the nearest edge. */
export function holdDomain(x: Float64Array, [lo, hi]: readonly [number, number]): void {
  caps.set(x, Float64Array.from(x, (v) => Math.min(v - lo, hi - v)));
}

/** The caps of several arrays laid end to end, for a vector that joins them (fast mode). */
export function holdJoinedDomains(joined: Float64Array, parts: readonly Float64Array[]): void {
  if (!parts.some((part) => caps.has(part))) return;
  const all = new Float64Array(joined.length).fill(Infinity);
  let offset = 0;
  for (const part of parts) {
    const cap = caps.get(part);
    if (cap) all.set(cap, offset);
    offset += part.length;
  }
  caps.set(joined, all);
}

export function hasDomain(x: Float64Array): boolean {
  return caps.has(x);
}

export function scaleOf(x: Float64Array, i: number): number {
  const scale = Math.max(Math.abs(x[i]), 1);
  const cap = caps.get(x);
  return cap ? Math.min(scale, cap[i]) : scale;
}

/** Every element's scale at once (what a pass over all elements needs: one lookup, no callback). */
export function scalesOf(x: Float64Array): Float64Array {
  const cap = caps.get(x);
  const scales = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const scale = Math.max(Math.abs(x[i]), 1);
    scales[i] = cap ? Math.min(scale, cap[i]) : scale;
  }
  return scales;
}
