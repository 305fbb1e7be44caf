// Element-wise relative error |a − n| / max(|a|, |n|, floor).
//
// The floor keeps a correct op from failing on elements whose true gradient is zero or tiny next
// to the rest of their input (exact zeros, x³ near 0): there the numeric estimate's absolute error,
// however small, is all that is left, and dividing by a near-zero gradient would blow it up. An
// element is compared against 1% of the largest gradient magnitude of its own input, so a gradient
// off by 0.1% on any element carrying at least 1% of its input's largest still shows a relative
// error of 1e-3, and smaller elements show their error scaled down by their size.
// Where analytic and numeric values both lie within the numeric estimate's own rounding noise
// (`numericNoise`) they are both zero as far as any step can tell, so an all-zero gradient passes.
// An input whose gradient is tiny beside the op's output is held to its own scale all the same: its
// differences either resolve it or are refined until they say they cannot (inconclusive).

export const FLOOR_OF_INPUT = 1e-2;

/**
 * Rounding noise of a centered difference: f's rounding (16 ulps of the sum of |cotangent · output|,
 * generous because rounding builds up through a forward's many operations), over the step 2h.
 */
export function numericNoise(outputMagnitude: number, eps: number): number {
  return phiNoise(outputMagnitude) / (2 * eps);
}

export function phiNoise(outputMagnitude: number): number {
  return 16 * Number.EPSILON * outputMagnitude;
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
    const a = analytic[i];
    const n = numeric[i];
    const bothZero = Math.abs(a) <= noise && Math.abs(n) <= noise;
    const error = bothZero ? 0 : Math.abs(a - n) / Math.max(Math.abs(a), Math.abs(n), floor);
    // NaN (from NaN or infinite values) counts as the worst possible error.
    if (!(error <= relErr)) {
      relErr = Number.isNaN(error) ? Infinity : error;
      worstIndex = i;
      if (relErr === Infinity) break;
    }
  }
  return { relErr, worstIndex };
}

/** Every element's relative error, as compareGradients measures it (for a report that shows them all). */
export function elementErrors(analytic: Float64Array, numeric: Float64Array, floor: number, noise: number): Float64Array {
  const errors = new Float64Array(analytic.length);
  for (let i = 0; i < analytic.length; i++) {
    const a = analytic[i];
    const n = numeric[i];
    const bothZero = Math.abs(a) <= noise && Math.abs(n) <= noise;
    const error = bothZero ? 0 : Math.abs(a - n) / Math.max(Math.abs(a), Math.abs(n), floor);
    errors[i] = Number.isNaN(error) ? Infinity : error;
  }
  return errors;
}

/** Elements over the tolerance, worst first (an element both sides of which lie within the noise never is). */
export function failingElements(analytic: Float64Array, numeric: Float64Array, floor: number, noise: number, tolerance: number): number[] {
  const errors: { i: number; error: number }[] = [];
  for (let i = 0; i < analytic.length; i++) {
    const a = analytic[i];
    const n = numeric[i];
    if (Math.abs(a) <= noise && Math.abs(n) <= noise) continue;
    const error = Math.abs(a - n) / Math.max(Math.abs(a), Math.abs(n), floor);
    if (!(error <= tolerance)) errors.push({ i, error: Number.isNaN(error) ? Infinity : error });
  }
  return errors.sort((a, b) => b.error - a.error).map((e) => e.i);
}
