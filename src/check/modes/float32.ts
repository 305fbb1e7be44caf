// The float32 check. A float32 engine's every output carries rounding of about 6e-8 of its size,
// so element by element a centered difference reaches 1e-3 at best and a gradient 0.1% off hides in
// it. Two things buy back four decades:
//   - compare along random directions d: the change of φ along d sums many elements'
//     contributions, and its rounding does not grow with them, so its relative noise is far smaller;
//   - take large steps and extrapolate: the discrepancy e(t) = (φ(x + td) − φ(x − td) − g·Δ(t)) / 2t,
//     where Δ(t) is the step as the engine really took it (both sides rounded to float32), is
//     O(t²) for the right gradient g and tends to the error (g* − g)·d for a wrong one. Richardson
//     extrapolation over t, t/2, t/4, … (from where the values start converging, so that a step
//     leaving the domain, crossing a kink or saturating is not used) estimates e(0) with its own
//     error estimate, and f's rounding, probed near the inputs, is added to it.
// The error is measured against ‖g ∘ d‖₂ (the size of the terms of g·d), as fast mode measures it.
import type { MaterializedInput } from '../../spec/inputs.ts';
import { short } from '../../model/words.ts';
import { checkInput } from './element-wise.ts';
import type { InputCheck, InputOutcome } from './element-wise.ts';
import { directionalPattern } from './localize.ts';
import { probeNoise } from '../numeric/noise.ts';
import { scalesOf } from '../numeric/scales.ts';
import { FLOAT32_EPS, FLOAT32_EPSILON } from '../../model/defaults.ts';
import type { Diagnosis, InputReport } from '../../model/report.ts';
import { DRAW, drawSweepDirection } from '../draws.ts';
import { storeFor } from '../numeric/float32-inputs.ts';
import { termScale } from './fast.ts';
import { asymptoticStart, bestOfTableau } from '../numeric/differences.ts';
import type { Phi } from '../phi.ts';
import { dot } from '../numeric/vectors.ts';

/** Random directions per input: more do not lower the threshold (the worst of them sets it). */
export const FLOAT32_DIRECTIONS = 2;
/** The first step along a direction, relative to each element's scale max(|x|, 1); halved from there. */
const FIRST_STEP = 0.25;
const LEVELS = 12;
/** How many times its own error bound a discrepancy must exceed to count. */
const CONFIRM_MARGIN = 4;

export interface DirectionalVerdict {
  /** |e(0)| / ‖g ∘ d‖₂. */
  relErr: number;
  /** The bound on that estimate (its error estimate plus rounding noise, times the margin), same units. */
  uncertainty: number;
  /** The smallest step the chosen estimate used. */
  step: number;
  /** The uncertainty of the ratio analytic/numeric along d (large where g·d cancels). */
  ratioUncertainty: number;
  /** g·d and the numeric derivative along d (g·d + e(0)), for the diagnosis. */
  analytic: number;
  numeric: number;
  /**
   * The same from the smaller steps alone: a second, independent opinion. Large steps can cross a
   * kink (maximum/minimum near a tie, relu near 0) and extrapolate to a discrepancy the function
   * does not have; the smaller steps, on the smooth side of it, then disagree.
   */
  smaller?: { relErr: number; uncertainty: number };
}

/** A direction's say: failed only if the smaller steps fail too; passed if either estimate is within the tolerance. */
export function directionSays(v: DirectionalVerdict, tolerance: number): { says: 'pass' | 'fail' | 'unresolved'; relErr: number } {
  const fails = (relErr: number, uncertainty: number) => relErr > tolerance && relErr > uncertainty;
  if (fails(v.relErr, v.uncertainty) && (!v.smaller || fails(v.smaller.relErr, v.smaller.uncertainty))) return { says: 'fail', relErr: v.relErr };
  if (v.relErr <= tolerance) return { says: 'pass', relErr: v.relErr };
  if (v.smaller && v.smaller.relErr <= tolerance) return { says: 'pass', relErr: v.smaller.relErr };
  return { says: 'unresolved', relErr: v.relErr };
}

export interface Float32Directions {
  verdicts: DirectionalVerdict[];
  evaluations: number;
}

export function float32Directions(opName: string, seed: number, input: MaterializedInput, gradient: Float64Array, phi: Phi, noise: number): Float32Directions {
  const before = phi.evaluations;
  const verdicts = Array.from({ length: FLOAT32_DIRECTIONS }, (_, p) => {
    const direction = drawSweepDirection(seed, `${DRAW.sweepDirection(opName, input.name)}/float32/${p}`, input.data.length);
    // The first direction leans with the gradient (each element's sign taken from it), so that its
    // terms gᵢdᵢ add up instead of cancelling: a gradient off by a constant factor shows there in
    // full. The second is plain random, for errors with no relation to the gradient's signs.
    if (p === 0) for (let i = 0; i < direction.length; i++) direction[i] = Math.abs(direction[i]) * (gradient[i] < 0 ? -1 : 1);
    return alongDirection(input.data, gradient, direction, phi, noise);
  });
  return { verdicts, evaluations: phi.evaluations - before };
}

function alongDirection(x: Float64Array, g: Float64Array, d: Float64Array, phi: Phi, noise: number): DirectionalVerdict {
  const original = Float64Array.from(x);
  const store = storeFor(x);
  const scales = scalesOf(x);
  const scaled = d.map((v, i) => v * scales[i]);
  const analytic = dot(g, scaled);
  const scale = termScale(g, d, original) || Number.MIN_VALUE;
  const steps = Array.from({ length: LEVELS }, (_, k) => FIRST_STEP / 2 ** k);
  const discrepancies = steps.map((t) => {
    let change = 0;
    for (let i = 0; i < x.length; i++) x[i] = store(original[i] + t * scaled[i]);
    const up = phi();
    for (let i = 0; i < x.length; i++) {
      const high = store(original[i] + t * scaled[i]);
      x[i] = store(original[i] - t * scaled[i]);
      change += g[i] * (high - x[i]);
    }
    const down = phi();
    x.set(original);
    return (up - down - change) / (2 * t);
  });
  const noiseAt = (t: number) => noise / t;
  const best = bestOfTableau(discrepancies, steps, asymptoticStart(discrepancies, steps, noiseAt), noiseAt) ?? { value: NaN, error: Infinity, noise: Infinity, h: steps[0], level: 0 };
  const smaller = bestOfTableau(discrepancies, steps, best.level + 1, noiseAt);
  const relative = (value: number) => (Number.isFinite(value) ? Math.abs(value) / scale : Infinity);
  const bound = (entry: { error: number; noise: number }) => (CONFIRM_MARGIN * (entry.error + entry.noise)) / scale;
  return {
    relErr: relative(best.value),
    uncertainty: bound(best),
    step: best.h,
    ratioUncertainty: (bound(best) * scale) / Math.max(Math.abs(analytic), Number.MIN_VALUE),
    analytic,
    numeric: analytic + best.value,
    ...(smaller ? { smaller: { relErr: relative(smaller.value), uncertainty: bound(smaller) } } : {}),
  };
}

/**
 * Element by element, float32 differences are noise-bound near 1e-3: held to this looser tolerance,
 * the element-wise pass still catches gross errors in a few elements (which directions dilute by
 * √N) and names the worst elements when a direction fails.
 */
export const FLOAT32_ELEMENT_TOLERANCE = 1e-2;

export interface Float32InputCheck extends Omit<InputCheck, 'epsList' | 'tolerance'> {
  tolerance: number;
  /**
   * ‖v ∘ f‖₂: float32 rounds each output element by up to 2⁻²⁴ of itself, with signs that mostly
   * cancel in φ = v · f, so this (not Σ|vᵢfᵢ|, the worst case) is the typical size of φ's rounding
   * over 2⁻²³. A floor under the probed noise, which can see none (outputs that are exact, as a
   * minimum of float32 inputs is).
   */
  outputNorm: number;
  /** Whether to run the element-wise pass too (the check's mode is element-wise). */
  elementPass: boolean;
}

/** One float32 input: its directions decide at the run's tolerance, the element-wise pass at 1e-2. */
export function checkFloat32Input(check: Float32InputCheck): InputOutcome {
  const { opName, seed, input, analytic, phi, tolerance, outputNorm } = check;
  const before = phi.evaluations;
  const probed = probeNoise(phi, input.data, drawSweepDirection(seed, DRAW.sweepDirection(opName, input.name), input.data.length), analytic);
  const noise = probed || FLOAT32_EPSILON * outputNorm;
  const { verdicts } = float32Directions(opName, seed, input, analytic, phi, noise);
  const says = verdicts.map((v) => directionSays(v, tolerance));
  const elementWise =
    check.elementPass
      ? checkInput({ ...check, epsList: FLOAT32_EPS, tolerance: Math.max(tolerance, FLOAT32_ELEMENT_TOLERANCE) })
      : undefined;
  const relErr = Math.max(...says.map((s) => s.relErr));
  const row: InputReport = {
    name: input.name,
    shape: input.shape,
    passed: true,
    relErr,
    bestEps: verdicts[0].step,
    worst: elementWise?.result.worst ?? { index: [], analytic: verdicts[0].analytic, numeric: verdicts[0].numeric },
    sweep: elementWise?.result.sweep ?? [],
    directions: verdicts.map(({ relErr, uncertainty, step }) => ({ relErr, uncertainty, step })),
  };
  const evaluations = () => phi.evaluations - before;
  const directional = { name: input.name, shape: input.shape, gradient: analytic };
  if (elementWise && !elementWise.result.passed) {
    return { result: { ...row, passed: false, relErr: Math.max(relErr, elementWise.result.relErr) }, diagnoses: elementWise.diagnoses, evaluations: evaluations() };
  }
  const kinkNotes = elementWise?.diagnoses.filter((d) => d.code === 'non-differentiable') ?? [];
  if (says.some((s) => s.says === 'fail')) {
    const slack = Math.max(...verdicts.map((v) => v.ratioUncertainty));
    const pattern = directionalPattern(directional, verdicts, relErr, { why: 'float32: the directions decide, element by element the rounding is too large', slack, hint: '' });
    return { result: { ...row, passed: false }, diagnoses: [...kinkNotes, pattern], evaluations: evaluations() };
  }
  if (says.every((s) => s.says === 'pass')) return { result: row, diagnoses: kinkNotes, evaluations: evaluations() };
  const uncertainty = Math.max(...verdicts.map((v) => v.uncertainty));
  return { result: { ...row, verdict: 'inconclusive' }, diagnoses: [...kinkNotes, unresolvedDirections(input.name, relErr, uncertainty, tolerance, elementWise?.result.relErr)], evaluations: evaluations() };
}

function unresolvedDirections(name: string, relErr: number, uncertainty: number, tolerance: number, elementWise: number | undefined): Diagnosis {
  const agrees = elementWise === undefined ? '' : ` Element by element it agrees to ${short(elementWise)}, within float32's ${short(FLOAT32_ELEMENT_TOLERANCE)}.`;
  return {
    code: 'inconclusive',
    input: name,
    message:
      `along random directions through '${name}' the float32 difference (extrapolated over steps from ${FIRST_STEP} down) is uncertain by ` +
      `${short(uncertainty)}, as large as the difference found (${short(relErr)}): not decided at tolerance ${short(tolerance)} ` +
      `(a kink or the edge of the domain within every large step, or float32 noise).${agrees}`,
  };
}
