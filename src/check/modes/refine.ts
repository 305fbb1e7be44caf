// A failing element's numeric derivative, estimated as accurately as the function allows before
// the check believes it: Ridders' method per element (finite-difference.ts), each estimate with
// its own error estimate, to which f's rounding noise at the step used is added. An element is
//   agreed      when the refined estimate is within the tolerance of the analytic value;
//   confirmed   when it differs by more than the tolerance AND by more than its error bound:
//               the gradient is wrong there, whatever the step;
//   unresolved  otherwise: no step gave an estimate accurate enough to tell (a steep function at
//               every step of the sweep, or a gradient far below f's rounding noise).
// Only a confirmed element fails an op; an input with unresolved elements but none confirmed is
// inconclusive. A single step common to all elements cannot suit a steep function, whose elements
// need steps decades apart.
import { riddersDerivative } from '../numeric/differences.ts';
import { elementError } from '../numeric/error.ts';
import type { ElementEstimate } from './estimates.ts';
import type { Phi } from '../phi.ts';
import type { Held } from '../numeric/point.ts';

/** Ridders' first step, relative to the element's scale max(|x|, 1). */
const FIRST_STEP = 0.1;
/** How many times its own error estimate (and the noise) a difference must exceed to count. */
const CONFIRM_MARGIN = 4;
/** Refining stops after this many confirmed elements: the op fails, and these show how. */
const ENOUGH_CONFIRMED = 8;
/** At most this many elements are refined; beyond, the rest stay unresolved. */
export const REFINE_LIMIT = 256;

export interface RefineInput {
  phi: Phi;
  x: Held;
  analytic: Float64Array;
  /** Failing elements, worst first. */
  failing: number[];
  /** The estimate the failures were found in: its values stand for the elements not refined. */
  evidence: ElementEstimate;
  tolerance: number;
  /** f's rounding noise per evaluation (the larger of the model and the measurement). */
  noiseOfPhi: number;
  /** Relative rounding of x ± h by a float32 engine; 0 in float64. */
  inputRounding: number;
}

export interface Refinement {
  /** The evidence's numeric gradient, refined values in place of the elements refined. */
  numeric: Float64Array;
  confirmed: number[];
  agreed: number[];
  unresolved: number[];
  /** Per refined element: its error bound, and the part of it that is rounding noise. */
  bounds: Map<number, { bound: number; noise: number }>;
  /** f's rounding noise per evaluation that the bounds assumed. */
  noise: number;
}

export function refineFailing({ phi, x, analytic, failing, evidence, tolerance, noiseOfPhi, inputRounding }: RefineInput): Refinement {
  const numeric = Float64Array.from(evidence.numeric);
  const refinement: Refinement = { numeric, confirmed: [], agreed: [], unresolved: [], bounds: new Map(), noise: noiseOfPhi };
  for (const i of failing) {
    if (refinement.confirmed.length >= ENOUGH_CONFIRMED || refinement.agreed.length + refinement.confirmed.length + refinement.unresolved.length >= REFINE_LIMIT) {
      refinement.unresolved.push(i);
      continue;
    }
    const scaleOfX = x.scales[i];
    const a = analytic[i];
    // A centered difference at step h carries f's rounding at both probes over the step, and a
    // float32 engine's own rounding of x ± h, which moves the step it really took.
    const noiseAt = (h: number) => (2 * noiseOfPhi) / h + (2 * inputRounding * scaleOfX * Math.abs(a)) / h;
    const estimate = riddersDerivative(phi, x, i, FIRST_STEP * scaleOfX, noiseAt, a);
    const bound = CONFIRM_MARGIN * (estimate.error + estimate.noise);
    refinement.bounds.set(i, { bound, noise: CONFIRM_MARGIN * estimate.noise });
    if (Number.isFinite(estimate.value)) numeric[i] = estimate.value;
    const difference = Math.abs(a - numeric[i]);
    // Not confirmed where the smaller steps, on their own and precisely enough to tell, agree with
    // the analytic value: the large steps crossed a kink or left the smooth part of f. Smaller
    // steps too noisy to tell (a bound as large as the difference) have no say.
    const { smaller } = estimate;
    const smallerBound = smaller ? CONFIRM_MARGIN * (smaller.error + smaller.noise) : Infinity;
    const smallerDisagrees = !smaller || smallerBound >= difference || Math.abs(a - smaller.value) > smallerBound;
    if (elementError(a, numeric[i], evidence.floor, evidence.noise) <= tolerance) refinement.agreed.push(i);
    else if (Number.isFinite(estimate.value) && difference > bound && smallerDisagrees) refinement.confirmed.push(i);
    else refinement.unresolved.push(i);
  }
  return refinement;
}
