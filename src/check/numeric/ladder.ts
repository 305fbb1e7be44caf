// Large steps, extrapolated: where rounding noise is too large for small steps (a float32 engine,
// whose every output carries rounding of 6e-8 of its size), the check takes steps t₀, t₀/2, t₀/4, …
// from a large one and extrapolates. Along directions d, at each step,
//   e(t) = (f(x + t·d) − f(x − t·d) − change(Δ(t))) / 2t,
// where Δ(t) is the span (x + t·d) − (x − t·d) as the engine stored it and change(Δ) the analytic
// change over it (g·Δ for a gradient, J·Δ for a forward-mode rule), is O(t²) for a right rule and
// tends to its error for a wrong one. Richardson's tableau over t (tableau.ts, from where the values
// start converging, so that a step leaving the domain, crossing a kink or saturating is not used)
// estimates e(0) with its own error estimate, and f's rounding noise over t is added to it.
// f may be vector-valued (a forward-mode rule's output): each component is extrapolated alone, and
// any projection of them too, from the same evaluations.
import { allocate } from '../../core/storage.ts';
import { directionPair } from './point.ts';
import type { Held } from './point.ts';
import { asymptoticStart, bestOfTableau } from './tableau.ts';

/** The first step, relative to each element's scale; halved from there. */
export const LADDER_FIRST_STEP = 0.25;
/** How many times its own error bound a discrepancy must exceed to count. */
export const CONFIRM_MARGIN = 4;

export interface Ladder {
  /** The steps taken, largest first. */
  steps: number[];
  /** Per step, e(t) for each component of f. */
  discrepancies: Float64Array[];
  /** Forward evaluations made. */
  evaluations: number;
}

export interface LadderRequest {
  inputs: readonly Held[];
  /** Per input, its direction (null: not moved). */
  directions: readonly (Float64Array | null)[];
  /** f at the inputs' current values. */
  f: () => Float64Array;
  /** The analytic change of f over the spans as taken (one per input, null where not moved), at step t. */
  change: (spans: readonly (Float64Array | null)[], t: number) => Float64Array;
  levels: number;
  /** Asked after each step from the fourth on: true stops the ladder there (the answer is clear). */
  enough?: (ladder: Ladder) => boolean;
}

export function climbLadder({ inputs, directions, f, change, levels, enough }: LadderRequest): Ladder {
  const ladder: Ladder = { steps: [], discrepancies: [], evaluations: 0 };
  const spans = directions.map((d, k) => (d ? allocate(inputs[k].data.length) : null));
  for (let level = 0; level < levels; level++) {
    const t = LADDER_FIRST_STEP / 2 ** level;
    const { up, down } = directionPair(inputs, directions, t, f, spans);
    const analytic = change(spans, t);
    const e = new Float64Array(up.length);
    for (let j = 0; j < e.length; j++) e[j] = (up[j] - down[j] - analytic[j]) / (2 * t);
    ladder.steps.push(t);
    ladder.discrepancies.push(e);
    ladder.evaluations += 2;
    if (level >= 3 && enough?.(ladder)) break;
  }
  return ladder;
}

/** One component of the ladder (or a weighted sum of components: a projection). */
export function componentOf(ladder: Ladder, weights: number | Float64Array): number[] {
  if (typeof weights === 'number') return ladder.discrepancies.map((e) => e[weights]);
  return ladder.discrepancies.map((e) => {
    let sum = 0;
    for (let j = 0; j < e.length; j++) sum += weights[j] * e[j];
    return sum;
  });
}

export interface Extrapolated {
  /** e(0). */
  value: number;
  /** Its bound: CONFIRM_MARGIN × (its error estimate plus f's rounding noise at the steps it used). */
  bound: number;
  /** The smallest step it used. */
  step: number;
  /**
   * The same from the smaller steps alone: a second, independent opinion. Large steps can cross a
   * kink (maximum/minimum near a tie, relu near 0) and extrapolate to a discrepancy the function
   * does not have; the smaller steps, on the smooth side of it, then disagree.
   */
  smaller?: { value: number; bound: number };
}

/** e(0) of one component's values along the ladder, `noise` being f's rounding per evaluation (in that component). */
export function extrapolate(values: number[], steps: number[], noise: number): Extrapolated {
  const noiseAt = (t: number) => noise / t;
  const best = bestOfTableau(values, steps, asymptoticStart(values, steps, noiseAt), noiseAt);
  if (!best) return { value: NaN, bound: Infinity, step: steps[0] };
  const smaller = bestOfTableau(values, steps, best.level + 1, noiseAt);
  const bound = (entry: { error: number; noise: number }) => CONFIRM_MARGIN * (entry.error + entry.noise);
  return { value: best.value, bound: bound(best), step: best.h, ...(smaller ? { smaller: { value: smaller.value, bound: bound(smaller) } } : {}) };
}

/**
 * What an extrapolated discrepancy says at a tolerance, measured against `scale` (the size of the
 * analytic value it corrects): 'fail' only if it exceeds both the tolerance and its own bound, and
 * the smaller steps say so too; 'pass' if either estimate is within the tolerance; else 'unresolved'.
 */
export function verdictOf(e: Extrapolated, scale: number, tolerance: number): { says: 'pass' | 'fail' | 'unresolved'; relErr: number; uncertainty: number } {
  const relative = (value: number) => (Number.isFinite(value) ? Math.abs(value) / scale : Infinity);
  const relErr = relative(e.value);
  const uncertainty = e.bound / scale;
  const fails = (r: number, u: number) => r > tolerance && r > u;
  const smaller = e.smaller && { relErr: relative(e.smaller.value), uncertainty: e.smaller.bound / scale };
  // The smaller steps overrule a failure only where they can tell: their uncertainty below the error found.
  const overruled = smaller !== undefined && smaller.uncertainty < relErr && !fails(smaller.relErr, smaller.uncertainty);
  if (fails(relErr, uncertainty) && !overruled) return { says: 'fail', relErr, uncertainty };
  if (relErr <= tolerance) return { says: 'pass', relErr, uncertainty };
  if (smaller && smaller.relErr <= tolerance) return { says: 'pass', relErr: smaller.relErr, uncertainty: smaller.uncertainty };
  return { says: 'unresolved', relErr, uncertainty };
}
