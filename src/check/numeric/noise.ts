// f's rounding noise, measured rather than modelled: φ at seventeen points x + jδd (j = −8…8)
// along a direction d, and the fourth differences of those values. A smooth φ's fourth difference
// is δ⁴·φ'''' (nothing, at δ = 1e-6 of the input's scale); rounding is what is left, amplified by
// the weights 1, −4, 6, −4, 1 (√70 ≈ 8.4 for independent errors). δ is far above float32's
// resolution, so an engine that rounds its inputs or its arithmetic to float32 shows that rounding
// too: the model of 16 ulps of float64 would not. The upper quartile of the thirteen differences is
// taken, so that a kink among the points (an input given exactly at relu's 0, a max tie) spoils
// only the three windows around it.
import { isHeldAsFloat32, storeFor } from './float32-inputs.ts';
/** φ: the scalar under test at the inputs' current values. */
type Phi = () => number;
import { scaleOf } from './scales.ts';

/**
 * Probe steps, relative to each element's scale, tried in turn: a step too small to change φ at
 * all (its change below the rounding quantum of φ's largest intermediate terms, when the output
 * itself cancels to nearly nothing) shows no noise, so the next, larger one is tried.
 */
const PROBE_STEPS = [1e-6, 1e-4, 1e-2];
const REACH = 8;

/**
 * f's typical rounding error per evaluation near x along `direction`, in units of φ. The analytic
 * change g·(xⱼ − x₀), over the steps as they were stored, is taken off each value first: a float32
 * op's inputs are rounded, so the steps are not evenly spaced, but the differences correct for the
 * steps as taken and that unevenness is no noise of theirs.
 */
export function probeNoise(phi: Phi, x: Float64Array, direction: Float64Array, gradient: Float64Array): number {
  // Just beside x rather than centred on it: an input given exactly on a kink (relu at 0, a tie)
  // would spoil the windows around x; the points x + (½ … 16½)·δ·d never reach it.
  return probeFrom(phi, x, direction, gradient, REACH + 0.5);
}

function probeFrom(phi: Phi, x: Float64Array, direction: Float64Array, gradient: Float64Array, offset: number): number {
  for (const step of PROBE_STEPS) {
    const { raw, corrected } = valuesAlong(phi, x, direction, step, gradient, offset);
    // φ did not move at all: this step is below its resolution; a larger one may show it.
    if (raw.every((v) => v === raw[0])) continue;
    const noise = medianFourthDifference(corrected);
    if (noise > 0) return noise;
  }
  return 0;
}

/**
 * φ at the probe points, and (for a float32 op, whose stored steps are uneven) φ less the analytic
 * change over the steps as stored. A float64 op's steps are even to 1e-16, so its values are used
 * as they are: taking the change off would only add its own rounding.
 */
function valuesAlong(phi: Phi, x: Float64Array, direction: Float64Array, step: number, gradient: Float64Array, offset: number): { raw: number[]; corrected: number[] } {
  const original = Float64Array.from(x);
  const store = storeFor(x);
  const uneven = isHeldAsFloat32(x);
  const scales = Float64Array.from(x, (_, i) => scaleOf(x, i));
  const raw: number[] = [];
  const corrected: number[] = [];
  try {
    for (let j = -REACH; j <= REACH; j++) {
      let change = 0;
      for (let i = 0; i < x.length; i++) {
        x[i] = store(original[i] + (j + offset) * step * direction[i] * scales[i]);
        if (uneven) change += gradient[i] * (x[i] - original[i]);
      }
      const value = phi();
      raw.push(value);
      corrected.push(value - change);
    }
  } finally {
    x.set(original);
  }
  return { raw, corrected };
}

function medianFourthDifference(values: number[]): number {
  const fourth: number[] = [];
  for (let j = 4; j < values.length; j++) {
    const difference = values[j] - 4 * values[j - 1] + 6 * values[j - 2] - 4 * values[j - 3] + values[j - 4];
    fourth.push(Number.isFinite(difference) ? Math.abs(difference) : Infinity);
  }
  fourth.sort((a, b) => a - b);
  // Several windows with (next to) no difference at all: φ is quantized (its change per probe is
  // below its rounding quantum), and the smallest real jump is about one quantum. "Next to none"
  // is a millionth of the largest: what is left of the analytic change once taken off.
  const largest = fourth[fourth.length - 1];
  const none = (v: number) => v <= 1e-6 * largest;
  if (fourth.filter(none).length >= 3) {
    const jump = fourth.find((v) => !none(v));
    return jump === undefined ? 0 : jump / 2;
  }
  // The upper quartile of |N(0, 70σ²)| is 1.15·√70·σ ≈ 9.6σ (the median, 5.6σ, proved too lucky
  // with thirteen samples); twice σ stands for the typical error.
  return (2 * fourth[Math.floor(fourth.length * 0.75)]) / 9.6;
}
