// The numeric side. Steps scale with the element (ε · max(|x|, 1)) and divide by the step as the
// machine actually took it, (x + h) − (x − h), rather than by 2h.

/** Centered difference of phi along element i of x, perturbing x in place and restoring it. */
export function centeredDifference(phi: () => number, x: Float64Array, i: number, eps: number): number {
  const xi = x[i];
  const h = eps * Math.max(Math.abs(xi), 1);
  const up = xi + h;
  const down = xi - h;
  x[i] = up;
  const fUp = phi();
  x[i] = down;
  const fDown = phi();
  x[i] = xi;
  return (fUp - fDown) / (up - down);
}

/** Every element's centered difference at one step: the element-wise numeric gradient. */
export function numericGradient(phi: () => number, x: Float64Array, eps: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = centeredDifference(phi, x, i, eps);
  return out;
}

/**
 * Compares the analytic and numeric change of phi along one direction: the numeric side is
 * phi(x + εd) − phi(x − εd), the analytic side g · ((x + εd) − (x − εd)) with the steps as taken.
 * Two evaluations per step, whatever the input's size: this is what finds the bottom of the U-curve.
 */
export interface DirectionalComparison {
  relErr: number;
  /** f's estimated rounding noise (`noiseOfPhi`) relative to the analytic change: how far this step can be trusted. */
  noise: number;
}

export function directionalError(
  phi: () => number,
  x: Float64Array,
  gradient: Float64Array,
  direction: Float64Array,
  eps: number,
  noiseOfPhi: number,
): DirectionalComparison {
  const original = Float64Array.from(x);
  const up = new Float64Array(x.length);
  const down = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const h = eps * direction[i] * Math.max(Math.abs(original[i]), 1);
    up[i] = original[i] + h;
    down[i] = original[i] - h;
  }
  x.set(up);
  const fUp = phi();
  x.set(down);
  const fDown = phi();
  x.set(original);
  let analytic = 0;
  for (let i = 0; i < x.length; i++) analytic += gradient[i] * (up[i] - down[i]);
  return { relErr: relativeError(analytic, fUp - fDown), noise: noiseOfPhi / Math.abs(analytic) };
}

export function relativeError(a: number, b: number): number {
  const scale = Math.max(Math.abs(a), Math.abs(b));
  if (scale === 0) return 0;
  const error = Math.abs(a - b) / scale;
  return Number.isNaN(error) ? Infinity : error;
}

export function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}
