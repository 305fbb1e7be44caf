// f's rounding noise, measured rather than modelled: φ at seventeen points x + jδd (j = −8…8)
// along a direction d, and the fourth differences of those values. A smooth φ's fourth difference
// is δ⁴·φ'''' (nothing, at δ = 1e-6 of the input's scale); rounding is what is left, amplified by
// the weights 1, −4, 6, −4, 1 (√70 ≈ 8.4 for independent errors). δ is far above float32's
// resolution, so an engine that rounds its inputs or its arithmetic to float32 shows that rounding
// too: the model of 16 ulps of float64 would not. The median of the thirteen differences is taken,
// so that a kink among the points (an input given exactly at relu's 0, a max tie) spoils only the
// three windows around it.
import type { Phi } from './phi.ts';

/**
 * Probe steps, relative to each element's scale, tried in turn: a step too small to change φ at
 * all (its change below the rounding quantum of φ's largest intermediate terms, when the output
 * itself cancels to nearly nothing) shows no noise, so the next, larger one is tried.
 */
const PROBE_STEPS = [1e-6, 1e-4, 1e-2];
const REACH = 8;

/** f's typical rounding error per evaluation near x along `direction`, in units of φ. */
export function probeNoise(phi: Phi, x: Float64Array, direction: Float64Array): number {
  for (const step of PROBE_STEPS) {
    const values = valuesAlong(phi, x, direction, step);
    if (values.every((v) => v === values[0])) continue;
    const noise = medianFourthDifference(values);
    if (noise > 0) return noise;
  }
  return 0;
}

function valuesAlong(phi: Phi, x: Float64Array, direction: Float64Array, step: number): number[] {
  const original = Float64Array.from(x);
  const values: number[] = [];
  try {
    for (let j = -REACH; j <= REACH; j++) {
      for (let i = 0; i < x.length; i++) x[i] = original[i] + j * step * direction[i] * Math.max(Math.abs(original[i]), 1);
      values.push(phi());
    }
  } finally {
    x.set(original);
  }
  return values;
}

function medianFourthDifference(values: number[]): number {
  const fourth: number[] = [];
  for (let j = 4; j < values.length; j++) {
    const difference = values[j] - 4 * values[j - 1] + 6 * values[j - 2] - 4 * values[j - 3] + values[j - 4];
    fourth.push(Number.isFinite(difference) ? Math.abs(difference) : Infinity);
  }
  fourth.sort((a, b) => a - b);
  const median = fourth[fourth.length >> 1];
  // The median of |N(0, 70σ²)| is 0.674·√70·σ ≈ 5.6σ; twice σ stands for the typical error.
  if (median > 0) return (2 * median) / 5.6;
  // Mostly equal values with a few jumps: φ is quantized (its change per probe is below its
  // rounding quantum), and the smallest jump is about one quantum.
  const jump = fourth.find((v) => v > 0);
  return jump === undefined ? 0 : jump / 2;
}
