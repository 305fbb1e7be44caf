// Whether a failing input's difference is real or lies within the numeric estimate's own error:
// its rounding noise (measured on the sweep's small steps) and its truncation (where a Richardson
// estimate can measure it). Within that error the check cannot decide: the verdict is
// `inconclusive`, a pass with a diagnosis that says how far the check could see.
import { failingElements } from './compare.ts';
import { inconclusive, noiseFloor } from './diagnose/messages.ts';
import type { ElementEstimate } from './estimates.ts';
import { NOISE_FACTOR } from './finite-difference.ts';
import type { Diagnosis } from './types.ts';

export interface ErrorModel {
  name: string;
  x: Float64Array;
  analytic: Float64Array;
  tolerance: number;
  /** f's rounding noise per evaluation, as measured on the sweep. */
  measuredNoise: number;
  /** Relative rounding of x ± h by the engine itself (float32 engines), 0 in float64. */
  inputRounding: number;
  /** Σ|vᵢ fᵢ|, for the noise's size relative to f. */
  outputMagnitude: number;
  /** Elements already explained (kinks): not judged here. */
  explained: ReadonlySet<number>;
  /** The Richardson estimates made for this input: the only ones that carry their own truncation error. */
  richardson: ElementEstimate[];
}

/**
 * Judged on the verdict's own step and on every Richardson estimate: a difference beyond any one
 * estimate's error bound is a real failure, so a tiny step's rounding noise never excuses a
 * gradient that a larger step shows wrong. Returns the inconclusive diagnosis, or undefined for a failure.
 */
export function inconclusiveVerdict(model: ErrorModel, verdictEstimate: ElementEstimate, best: ElementEstimate): Diagnosis | undefined {
  const bounds = errorBounds(model);
  const judged = [verdictEstimate, ...model.richardson];
  if (!judged.every((estimate) => bounds.unexplained(estimate).every((i) => bounds.withinError(estimate, i)))) return undefined;
  // The uncertainty shown is that of the estimate whose difference is reported (the best one).
  const shown = bounds.unexplained(best).length > 0 ? best : verdictEstimate;
  const unexplained = bounds.unexplained(shown);
  const noiseDominates = unexplained.every((i) => bounds.noise(shown, i) >= bounds.truncation(shown, i));
  if (noiseDominates) {
    return noiseFloor(model.name, model.measuredNoise / Math.max(model.outputMagnitude, Number.MIN_VALUE), best.relErr, model.tolerance);
  }
  const scale = (i: number) => Math.max(Math.abs(model.analytic[i]), Math.abs(shown.numeric[i]), shown.floor);
  const largest = Math.max(...unexplained.map((i) => (bounds.noise(shown, i) + bounds.truncation(shown, i)) / scale(i)));
  return inconclusive(model.name, largest / 2, best.relErr, model.tolerance);
}

function errorBounds({ x, analytic, tolerance, measuredNoise, inputRounding, explained, richardson }: ErrorModel) {
  const h = (estimate: ElementEstimate, i: number) => estimate.eps * Math.max(Math.abs(x[i]), 1);
  // f's rounding over the step, and (float32 engines) the step's own rounding times the slope.
  const noise = (estimate: ElementEstimate, i: number) =>
    (4 * NOISE_FACTOR[estimate.by] * measuredNoise) / (2 * h(estimate, i)) +
    (2 * inputRounding * Math.max(Math.abs(x[i]), 1) * Math.abs(analytic[i])) / h(estimate, i);
  // Central and five-point differences carry no truncation estimate of their own. Where a
  // Richardson estimate is more accurate than their distance from it (its own error bound is
  // smaller), their truncation at i is measured by it: where f' is tiny beside f''' (a flat
  // sigmoid∘sigmoid), the central difference at 1e-3 was 4e-6 off through truncation alone while
  // Richardson agreed to 1e-7. A looser Richardson estimate never widens their bound, so a wrong
  // gradient still has to hide within the error of the tightest estimate.
  const truncation = (estimate: ElementEstimate, i: number): number => {
    if (!Number.isNaN(estimate.truncation[i])) return 2 * estimate.truncation[i];
    let bound = 0;
    for (const reference of richardson) {
      const distance = Math.abs(estimate.numeric[i] - reference.numeric[i]);
      const referenceError = noise(reference, i) + 2 * reference.truncation[i];
      if (referenceError <= distance) bound = Math.max(bound, distance + referenceError);
    }
    return bound;
  };
  const unexplained = (estimate: ElementEstimate) =>
    failingElements(analytic, estimate.numeric, estimate.floor, estimate.noise, tolerance).filter((i) => !explained.has(i));
  const withinError = (estimate: ElementEstimate, i: number) =>
    Math.abs(analytic[i] - estimate.numeric[i]) <= noise(estimate, i) + truncation(estimate, i);
  return { noise, truncation, unexplained, withinError };
}
