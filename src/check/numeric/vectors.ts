// Small vector helpers on Float64Array shared by the numeric stages.

export function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

/** The parts laid end to end: one vector over several inputs. */
export function concat(parts: readonly Float64Array[]): Float64Array {
  const joined = new Float64Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

/** The largest finite magnitude (a value that overflowed or is NaN sets no scale). */
export function largestMagnitude(...arrays: Float64Array[]): number {
  let largest = 0;
  for (const array of arrays) {
    for (let i = 0; i < array.length; i++) {
      const magnitude = Math.abs(array[i]);
      if (magnitude > largest && magnitude !== Infinity) largest = magnitude;
    }
  }
  return largest;
}
