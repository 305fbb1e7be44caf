// The float32 check. A float32 engine's every output carries rounding of about 6e-8 of its size,
// so element by element a centered difference reaches 1e-3 at best and a gradient 0.1% off hides in
// it. Two things buy back four decades:
//   - compare along random directions d: the change of φ along d sums many elements'
//     contributions, and its rounding does not grow with them, so its relative noise is far smaller;
//   - take large steps and extrapolate (numeric/ladder.ts): the discrepancy
//     e(t) = (φ(x + td) − φ(x − td) − g·Δ(t)) / 2t, where Δ(t) is the step as the engine really took
//     it, is O(t²) for the right gradient g and tends to the error (g* − g)·d for a wrong one.
// The error is measured against ‖g ∘ d‖₂ (the size of the terms of g·d), as fast mode measures it.
//
// First, as fast mode does, along directions that span every input at once: two of them, each
// stopped as soon as its extrapolation passes with room to spare (four to six steps for most ops).
// Such a direction speaks for an input only if that input carries a fair share of its terms (an
// input whose terms are a sliver of the sum could be wrong by far more than the sum shows); every
// input it does not speak for, and every input when it is not clearly passed, is checked on its
// own: its noise probed, along two directions of its own, over the whole ladder. Where the mode is
// element-wise an element-wise pass at 1e-2 runs for every input besides.
import type { CheckedInput } from '../prepare.ts';
import { short } from '../../model/words.ts';
import { checkInput } from './element-wise.ts';
import type { InputCheck, InputOutcome } from './element-wise.ts';
import { directionalPattern } from './localize.ts';
import { asVector } from '../numeric/noise.ts';
import { probedNoise } from './element-wise.ts';
import { FLOAT32_EPS, FLOAT32_EPSILON } from '../../model/defaults.ts';
import type { Diagnosis, InputReport, JointComparison } from '../../model/report.ts';
import { DRAW, drawSweepDirection } from '../draws.ts';
import { termScale } from '../numeric/differences.ts';
import type { Directions } from '../numeric/differences.ts';
import { climbLadder, componentOf, extrapolate, LADDER_FIRST_STEP, verdictOf } from '../numeric/ladder.ts';
import type { Ladder } from '../numeric/ladder.ts';
import type { Phi } from '../phi.ts';
import { dot } from '../numeric/vectors.ts';
import { splitAlong } from './fast.ts';

/** Random directions per input: more do not lower the threshold (the worst of them sets it). */
export const FLOAT32_DIRECTIONS = 2;
/** Steps along a direction: from 0.25 (of each element's scale) halved to 1.2e-4. */
const LEVELS = 12;

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
  /** What the direction says at the tolerance, and the relative error it says it at (the smaller steps' where they decided). */
  says: 'pass' | 'fail' | 'unresolved';
  decided: number;
}

export interface Float32Directions {
  verdicts: DirectionalVerdict[];
  evaluations: number;
}

export function float32Directions(opName: string, seed: number, input: CheckedInput, gradient: Float64Array, phi: Phi, noise: number, tolerance: number): Float32Directions {
  const before = phi.evaluations;
  const verdicts = Array.from({ length: FLOAT32_DIRECTIONS }, (_, p) => {
    const direction = drawSweepDirection(seed, `${DRAW.sweepDirection(opName, input.name)}/float32/${p}`, input.data.length);
    // The first direction leans with the gradient (each element's sign taken from it), so that its
    // terms gᵢdᵢ add up instead of cancelling: a gradient off by a constant factor shows there in
    // full. The second is plain random, for errors with no relation to the gradient's signs.
    if (p === 0) for (let i = 0; i < direction.length; i++) direction[i] = Math.abs(direction[i]) * (gradient[i] < 0 ? -1 : 1);
    return alongDirection({ inputs: [input], directions: [direction], gradients: [gradient] }, phi, noise, tolerance);
  });
  return { verdicts, evaluations: phi.evaluations - before };
}

function alongDirection(along: Directions, phi: Phi, noise: number, tolerance: number): DirectionalVerdict {
  const [input] = along.inputs;
  const [g] = along.gradients as Float64Array[];
  const [d] = along.directions as Float64Array[];
  let analytic = 0;
  for (let i = 0; i < d.length; i++) analytic += g[i] * (d[i] * input.scales[i]);
  const scale = termScale(along) || Number.MIN_VALUE;
  const ladder = climbLadder({ ...along, f: asVector(phi), change: gradientChange([g]), levels: LEVELS });
  const e = extrapolate(componentOf(ladder, 0), ladder.steps, noise);
  const verdict = verdictOf(e, scale, tolerance);
  return {
    relErr: Number.isFinite(e.value) ? Math.abs(e.value) / scale : Infinity,
    uncertainty: e.bound / scale,
    step: e.step,
    ratioUncertainty: e.bound / Math.max(Math.abs(analytic), Number.MIN_VALUE),
    analytic,
    numeric: analytic + e.value,
    says: verdict.says,
    decided: verdict.relErr,
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
  const probed = probedNoise(check);
  // Never below the rounding every output carries: an output that saturates (a sigmoid near 1)
  // moves by less than its quantum over a step, which the probe, taking the analytic change off
  // values that did not move, sees as a straight line rather than as noise.
  const noise = Math.max(probed, FLOAT32_EPSILON * outputNorm);
  const { verdicts } = float32Directions(opName, seed, input, analytic, phi, noise, tolerance);
  const says = verdicts.map(({ says, decided }) => ({ says, relErr: decided }));
  const elementWise = check.elementPass ? elementPass(check) : undefined;
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
      `along random directions through '${name}' the float32 difference (extrapolated over steps from ${LADDER_FIRST_STEP} down) is uncertain by ` +
      `${short(uncertainty)}, as large as the difference found (${short(relErr)}): not decided at tolerance ${short(tolerance)} ` +
      `(a kink or the edge of the domain within every large step, or float32 noise).${agrees}`,
  };
}

/** A joint direction speaks for an input that carries at least this share (by 2-norm) of its terms. */
export const JOINT_SHARE = 0.3;

export interface JointFloat32 {
  comparison: JointComparison;
  /** Whether every joint direction passed with room to spare. */
  clear: boolean;
  /** The inputs (by index among those given) each joint direction speaks for. */
  vouched: Set<number>;
  evaluations: number;
}

export interface JointCheck {
  opName: string;
  seed: number;
  tolerance: number;
  inputs: CheckedInput[];
  gradients: Float64Array[];
  phi: Phi;
  /** φ's rounding per evaluation as modelled (2⁻²³ ‖v ∘ f‖₂): a clear pass comes from large steps, where it barely counts. */
  noise: number;
}

/**
 * Every input at once, along FLOAT32_DIRECTIONS joint directions, each stopped once it clearly
 * passes: its error plus its whole bound (four times its error estimate and the modelled noise)
 * within the tolerance.
 */
export function jointFloat32(check: JointCheck): JointFloat32 {
  const { inputs, gradients, phi, tolerance, noise } = check;
  const before = phi.evaluations;
  const total = inputs.reduce((n, input) => n + input.data.length, 0);
  const vouched = new Set(inputs.keys());
  let clear = true;
  let comparison: JointComparison | undefined;
  for (let p = 0; p < FLOAT32_DIRECTIONS && clear; p++) {
    const joint = drawSweepDirection(check.seed, `${check.opName}/float32/joint/${p}`, total);
    if (p === 0) leanWith(joint, gradients);
    const along: Directions = { inputs, directions: splitAlong(joint, inputs), gradients };
    const scale = termScale(along) || Number.MIN_VALUE;
    inputs.forEach((_, k) => {
      if (termScale({ inputs: [inputs[k]], directions: [along.directions[k]], gradients: [gradients[k]] }) < JOINT_SHARE * scale) vouched.delete(k);
    });
    const judge = (ladder: Ladder) => verdictOf(extrapolate(componentOf(ladder, 0), ladder.steps, noise), scale, tolerance);
    const clearly = (verdict: ReturnType<typeof judge>) => verdict.says === 'pass' && verdict.relErr + verdict.uncertainty <= tolerance;
    const ladder = climbLadder({ ...along, f: asVector(phi), change: gradientChange(gradients), levels: LEVELS, enough: (l) => clearly(judge(l)) });
    const e = extrapolate(componentOf(ladder, 0), ladder.steps, noise);
    const verdict = verdictOf(e, scale, tolerance);
    clear = clearly(verdict);
    const analytic = along.directions.reduce((sum, d, k) => sum + dot(gradients[k], d!.map((v, i) => v * inputs[k].scales[i])), 0);
    const sweep = ladder.steps.map((eps, l) => ({ eps, relErr: Math.abs(ladder.discrepancies[l][0]) / scale }));
    if (!comparison || verdict.relErr > comparison.relErr) comparison = { passed: clear, relErr: verdict.relErr, bestEps: e.step, sweep: comparison?.sweep ?? sweep, analytic, numeric: analytic + e.value };
  }
  return { comparison: { ...comparison!, passed: clear }, clear, vouched, evaluations: phi.evaluations - before };
}

/** Each element's sign taken from the gradient, so that the terms gᵢdᵢ add up instead of cancelling. */
function leanWith(direction: Float64Array, gradients: Float64Array[]): void {
  let i = 0;
  for (const g of gradients) for (let j = 0; j < g.length; j++, i++) direction[i] = Math.abs(direction[i]) * (g[j] < 0 ? -1 : 1);
}

/** g · Δ over the spans as the engine took them, for the ladder. */
function gradientChange(gradients: Float64Array[]): (spans: readonly (Float64Array | null)[]) => Float64Array {
  return (spans) => Float64Array.of(spans.reduce((sum, span, k) => sum + (span ? dot(gradients[k], span) : 0), 0));
}

export interface Float32Check extends Omit<Float32InputCheck, 'input' | 'analytic' | 'uses'> {
  inputs: CheckedInput[];
  gradients: Float64Array[];
  uses: (number | undefined)[];
}

export interface Float32Outcome {
  rows: InputReport[];
  diagnoses: Diagnosis[];
  evaluations: number;
  /** The joint comparison, when it decided some inputs. */
  joint?: JointComparison;
}

/** The float32 check of the inputs that take a gradient: jointly where that clearly passes, each on its own otherwise. */
export function checkFloat32(check: Float32Check): Float32Outcome {
  const { inputs, gradients, phi, outputNorm } = check;
  const before = phi.evaluations;
  const joint = jointFloat32({ ...check, noise: FLOAT32_EPSILON * outputNorm });
  const rows: InputReport[] = [];
  const diagnoses: Diagnosis[] = [];
  inputs.forEach((input, k) => {
    const one = { ...check, input, analytic: gradients[k], uses: check.uses[k] };
    const outcome = joint.clear && joint.vouched.has(k) ? jointlyPassed(one, joint.comparison) : checkFloat32Input(one);
    rows.push(outcome.result);
    diagnoses.push(...outcome.diagnoses);
  });
  const decided = rows.some((row) => row.joint);
  return { rows, diagnoses, evaluations: phi.evaluations - before, ...(decided ? { joint: joint.comparison } : {}) };
}

/** An input the joint directions clearly passed: only the element-wise pass (where the mode has one) is left to run. */
function jointlyPassed(check: Float32InputCheck, joint: JointComparison): InputOutcome {
  const { input } = check;
  const before = check.phi.evaluations;
  const elementWise = check.elementPass ? elementPass(check) : undefined;
  const row: InputReport = {
    name: input.name,
    shape: input.shape,
    passed: true,
    joint: true,
    relErr: joint.relErr,
    bestEps: joint.bestEps,
    worst: elementWise?.result.worst ?? { index: [], analytic: NaN, numeric: NaN },
    sweep: elementWise?.result.sweep ?? [],
  };
  const evaluations = check.phi.evaluations - before;
  if (elementWise && !elementWise.result.passed) {
    return { result: { ...row, passed: false, relErr: Math.max(row.relErr, elementWise.result.relErr) }, diagnoses: elementWise.diagnoses, evaluations };
  }
  return { result: row, diagnoses: elementWise?.diagnoses.filter((d) => d.code === 'non-differentiable') ?? [], evaluations };
}

function elementPass(check: Float32InputCheck): InputOutcome {
  return checkInput({ ...check, epsList: FLOAT32_EPS, tolerance: Math.max(check.tolerance, FLOAT32_ELEMENT_TOLERANCE) });
}
