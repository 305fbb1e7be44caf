// The one comparison behind every verdict: the relative error of an analytic value against a
// numeric one, |a − n| / max(|a|, |n|, floor), with two allowances.
//
// The floor keeps a correct op from failing on elements whose true gradient is zero or tiny next
// to the rest of their input (exact zeros, x³ near 0): there the numeric estimate's absolute error,
// however small, is all that is left, and dividing by a near-zero gradient would blow it up. An
// element is compared against 1% of the largest gradient magnitude of its own input, so a gradient
// off by 0.1% on any element carrying at least 1% of its input's largest still shows a relative
// error of 1e-3, and smaller elements show their error scaled down by their size.
// Where analytic and numeric values both lie within the numeric estimate's own rounding noise they
// are both zero as far as any step can tell (an all-zero gradient passes). NaN from either side,
// or from an infinite one, is the worst error there is.

export const FLOOR_OF_INPUT = 1e-2;

/** |a − n| / max(|a|, |n|, floor); 0 where both lie within `noise` of zero; Infinity for NaN. */
export function elementError(analytic: number, numeric: number, floor = 0, noise = 0): number {
  const a = Math.abs(analytic);
  const n = Math.abs(numeric);
  if (a <= noise && n <= noise) return 0;
  const error = Math.abs(analytic - numeric) / Math.max(a, n, floor);
  return error === error ? error : Infinity;
}

/** The relative error of two values with no floor or allowance. */
export function relativeError(a: number, b: number): number {
  return elementError(a, b);
}

/**
 * Rounding noise of a centered difference: f's rounding (16 ulps of the sum of |cotangent · output|,
 * generous because rounding builds up through a forward's many operations), over the step 2h.
 */
export function numericNoise(outputMagnitude: number, eps: number): number {
  return phiNoise(outputMagnitude) / (2 * eps);
}

/**
 * f's rounding per evaluation: 16 ulps of Σ|vᵢfᵢ|, and never less than 4 steps of the smallest
 * denormal (a few roundings, each of up to half a step): an output that small is rounded to an
 * absolute grid, not a relative one, and a model that underflowed to 0 would read every
 * difference of it as exact.
 */
export function phiNoise(outputMagnitude: number): number {
  return Math.max(16 * Number.EPSILON * outputMagnitude, 4 * Number.MIN_VALUE);
}

export function comparisonFloor(inputScale: number): number {
  return Math.max(FLOOR_OF_INPUT * inputScale, Number.MIN_VALUE);
}

export interface Comparison {
  relErr: number;
  worstIndex: number;
}

export function compareGradients(analytic: Float64Array, numeric: Float64Array, floor: number, noise: number): Comparison {
  let relErr = 0;
  let worstIndex = 0;
  for (let i = 0; i < analytic.length; i++) {
    const error = elementError(analytic[i], numeric[i], floor, noise);
    if (error > relErr) {
      relErr = error;
      worstIndex = i;
      if (relErr === Infinity) break;
    }
  }
  return { relErr, worstIndex };
}

/** Every element's relative error, as compareGradients measures it (for a report that shows them all). */
export function elementErrors(analytic: Float64Array, numeric: Float64Array, floor: number, noise: number): Float64Array {
  return analytic.map((a, i) => elementError(a, numeric[i], floor, noise));
}

/** Elements over the tolerance, worst first (an element both sides of which lie within the noise never is). */
export function failingElements(analytic: Float64Array, numeric: Float64Array, floor: number, noise: number, tolerance: number): number[] {
  const errors: { i: number; error: number }[] = [];
  for (let i = 0; i < analytic.length; i++) {
    const error = elementError(analytic[i], numeric[i], floor, noise);
    if (error > tolerance) errors.push({ i, error });
  }
  return errors.sort((a, b) => b.error - a.error).map((e) => e.i);
}

/**
 * A comparison along a direction, where one number stands for many elements: its error is
 * measured against `scale`, the 2-norm of the terms the number sums (so that a cancelled sum fails
 * no correct op, and an error in one of N terms is diluted only by √N), and both sides within
 * `noise` of each other and of zero count as agreeing.
 */
export function directionalError(analytic: number, numeric: number, scale: number, noise: number): number {
  if (Math.abs(analytic) <= noise && Math.abs(numeric - analytic) <= noise) return 0;
  return elementError(analytic, numeric, scale);
}
