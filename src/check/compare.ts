// Element-wise relative error |a − n| / max(|a|, |n|, floor).
//
// The floor is the guard that keeps a correct op from failing on elements whose true gradient is
// zero or tiny next to the rest (exact zeros, x³ near 0): there the numeric estimate's absolute
// error, however small, is all that is left, and dividing by a near-zero gradient would blow it up.
// An element is compared against the largest of
//   - 1% of the largest gradient magnitude of its own input,
//   - 0.01% of the largest gradient magnitude of the whole op,
//   - the rounding noise of the numeric estimate itself divided by the tolerance: f's own rounding
//     (16 ulps of the sum of |cotangent · output|) divided by the step. Below that level no step
//     can tell a gradient from zero, so a gradient of exactly zero is not failed for noise.
// A gradient that is off by 0.1% on any element carrying at least 0.01% of its input's largest
// gradient still shows a relative error of at least 1e-5, far above the 1e-7 tolerance.

export const FLOOR_OF_INPUT = 1e-2;
export const FLOOR_OF_OP = 1e-4;

export function largestMagnitude(...arrays: Float64Array[]): number {
  let largest = 0;
  for (const array of arrays) {
    for (let i = 0; i < array.length; i++) {
      const magnitude = Math.abs(array[i]);
      if (magnitude > largest) largest = magnitude;
    }
  }
  return largest;
}

/**
 * Rounding noise of a centered difference: f's rounding (16 ulps of the sum of |cotangent · output|,
 * generous because rounding builds up through a forward's many operations), over the step 2h.
 */
export function numericNoise(outputMagnitude: number, eps: number): number {
  return (16 * Number.EPSILON * outputMagnitude) / (2 * eps);
}

export function comparisonFloor(inputScale: number, opScale: number, noise: number, tolerance: number): number {
  return Math.max(FLOOR_OF_INPUT * inputScale, FLOOR_OF_OP * opScale, noise / tolerance, Number.MIN_VALUE);
}

export interface Comparison {
  relErr: number;
  worstIndex: number;
}

export function compareGradients(analytic: Float64Array, numeric: Float64Array, floor: number): Comparison {
  let relErr = 0;
  let worstIndex = 0;
  for (let i = 0; i < analytic.length; i++) {
    const a = analytic[i];
    const n = numeric[i];
    const error = Math.abs(a - n) / Math.max(Math.abs(a), Math.abs(n), floor);
    // NaN (from NaN or infinite values) counts as the worst possible error.
    if (!(error <= relErr)) {
      relErr = Number.isNaN(error) ? Infinity : error;
      worstIndex = i;
      if (relErr === Infinity) break;
    }
  }
  return { relErr, worstIndex };
}

/** Row-major flat index to one index per axis. */
export function unravelIndex(flat: number, shape: number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    index[axis] = flat % shape[axis];
    flat = Math.floor(flat / shape[axis]);
  }
  return index;
}
