// f's rounding noise, measured rather than modelled: f at seventeen points x + jδd along directions
// d (one per input), and the fourth differences of those values. A smooth f's fourth difference is
// δ⁴·f'''' (nothing, at δ = 1e-6 of the inputs' scale); rounding is what is left, amplified by the
// weights 1, −4, 6, −4, 1 (√70 ≈ 8.4 for independent errors). δ is far above float32's resolution,
// so an engine that rounds its inputs or its arithmetic to float32 shows that rounding too: the
// model of 16 ulps of float64 would not. The upper quartile of the thirteen differences is taken, so
// that a kink among the points (an input given exactly at relu's 0, a max tie) spoils only the three
// windows around it. f may be vector-valued: each component's noise, or a projection's, is read
// from the same evaluations.
import { allocate } from '../../core/storage.ts';
import { evaluateMoved } from './point.ts';
import type { Held } from './point.ts';

/**
 * Probe steps, relative to each element's scale, tried in turn: a step too small to change f at
 * all (its change below the rounding quantum of f's largest intermediate terms, when the output
 * itself cancels to nearly nothing) shows no noise, so the next, larger one is tried.
 */
const PROBE_STEPS = [1e-6, 1e-4, 1e-2];
const REACH = 8;

export interface NoiseProbe {
  /**
   * f's typical rounding error per evaluation, in one component of f (a number) or in a projection
   * of f (weights per component); 0 when no probe step shows any.
   */
  noiseOf(component: number | Float64Array): number;
  /** Forward evaluations made so far. */
  readonly evaluations: number;
}

export interface ProbeRequest {
  inputs: readonly Held[];
  directions: readonly (Float64Array | null)[];
  f: () => Float64Array;
  /**
   * The analytic change of f over each point's displacement as stored, taken off its value: a
   * float32 engine rounds its inputs, so the probe's points are not evenly spaced, and that
   * unevenness is no noise of the differences, which correct for the steps as taken. Needed only
   * where the inputs round.
   */
  change?: (displacements: readonly (Float64Array | null)[]) => Float64Array;
}

/** A probe along the directions; its points are evaluated when a component's noise is first asked for. */
export function probeNoise({ inputs, directions, f, change }: ProbeRequest): NoiseProbe {
  const uneven = change !== undefined && inputs.some((x, k) => x.rounds && directions[k]);
  const levels: { raw: Float64Array[]; corrected: Float64Array[] }[] = [];
  let evaluations = 0;
  const level = (n: number) => {
    while (levels.length <= n) {
      levels.push(valuesAlong(inputs, directions, f, PROBE_STEPS[levels.length], uneven ? change : undefined));
      evaluations += 2 * REACH + 1;
    }
    return levels[n];
  };
  return {
    noiseOf(component) {
      const read = (values: Float64Array) => (typeof component === 'number' ? values[component] : project(values, component));
      for (let n = 0; n < PROBE_STEPS.length; n++) {
        const { raw, corrected } = level(n);
        const moved = raw.map(read);
        // f did not move at all: this step is below its resolution; a larger one may show it. A
        // probe that left f's domain (NaN, ±Infinity) says nothing about its rounding.
        if (moved.every((v) => v === moved[0]) || !moved.every(Number.isFinite)) continue;
        const noise = quantizedNoise(moved) ?? upperQuartileFourthDifference(corrected.map(read));
        if (noise > 0) return noise;
      }
      return 0;
    },
    get evaluations() {
      return evaluations;
    },
  };
}

function project(values: Float64Array, weights: Float64Array): number {
  let sum = 0;
  for (let j = 0; j < values.length; j++) sum += weights[j] * values[j];
  return sum;
}

/**
 * f at the probe points, and (where the stored steps are uneven) f less the analytic change over
 * the steps as stored. Just beside x rather than centred on it: an input given exactly on a kink
 * (relu at 0, a tie) would spoil the windows around x; the points x + (½ … 16½)·δ·d never reach it.
 */
function valuesAlong(inputs: readonly Held[], directions: readonly (Float64Array | null)[], f: () => Float64Array, step: number, change: ProbeRequest['change']): { raw: Float64Array[]; corrected: Float64Array[] } {
  const raw: Float64Array[] = [];
  const corrected: Float64Array[] = [];
  for (let j = -REACH; j <= REACH; j++) {
    const t = (j + REACH + 0.5) * step;
    const value = Float64Array.from(evaluateMoved({ inputs, directions, step: t }, f));
    raw.push(value);
    if (!change) {
      corrected.push(value);
      continue;
    }
    const displacements = directions.map((d, k) => {
      if (!d) return null;
      const { origin, store, scales } = inputs[k];
      const out = allocate(origin.length);
      for (let i = 0; i < origin.length; i++) out[i] = store(origin[i] + t * d[i] * scales[i]) - origin[i];
      return out;
    });
    const analytic = change(displacements);
    corrected.push(value.map((v, c) => v - analytic[c]));
  }
  return { raw, corrected };
}

/**
 * Several steps with no change at all: f is quantized (its change per probe is below its rounding
 * quantum), its rounding error is anything up to half a quantum, and the smallest jump is one
 * quantum. Read from f's values as evaluated, not corrected: the correction is smooth where f is not.
 */
function quantizedNoise(values: number[]): number | undefined {
  let flat = 0;
  let quantum = Infinity;
  for (let j = 1; j < values.length; j++) {
    const jump = Math.abs(values[j] - values[j - 1]);
    if (jump === 0) flat++;
    else quantum = Math.min(quantum, jump);
  }
  return flat >= 3 && Number.isFinite(quantum) ? quantum / 2 : undefined;
}

function upperQuartileFourthDifference(values: number[]): number {
  const fourth: number[] = [];
  for (let j = 4; j < values.length; j++) {
    const difference = values[j] - 4 * values[j - 1] + 6 * values[j - 2] - 4 * values[j - 3] + values[j - 4];
    fourth.push(Number.isFinite(difference) ? Math.abs(difference) : Infinity);
  }
  fourth.sort((a, b) => a - b);
  // The upper quartile of |N(0, 70σ²)| is 1.15·√70·σ ≈ 9.6σ (the median, 5.6σ, proved too lucky
  // with thirteen samples); twice σ stands for the typical error.
  return (2 * fourth[Math.floor(fourth.length * 0.75)]) / 9.6;
}

/** A scalar f as a one-component one, for the probe and the ladder. */
export function asVector(f: () => number): () => Float64Array {
  return () => Float64Array.of(f());
}
