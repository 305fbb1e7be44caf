// Forward mode: an engine's jvp (or a customOp's) gives the output's tangent J·v. It is checked
// against finite differences along v, one tangent per input at a time (so a failure names the
// input), through the same numeric core as reverse mode:
//   - one ladder of large steps along v, extrapolated (numeric/ladder.ts): per step, the discrepancy
//     between f's centered difference and J·Δ, Δ being the step as the engine stored it; e(0) per
//     output element, with its own error bound, from the same evaluations;
//   - f's rounding noise measured along v (numeric/noise.ts), per output element;
//   - per output element, a difference beyond the tolerance and its bound fails; one no step resolves
//     is inconclusive. A float32 engine's elements are noise-bound near 1e-3, so there, as in
//     reverse mode, random projections of the output (uᵀ e, one leaning with J·v's signs) decide at
//     the float32 tolerance, and the elements only at 1e-2;
//   - where a vjp exists too, uᵀ(J v) must equal (Jᵀu)ᵀ v, as JAX's check_grads(modes=['fwd', 'rev'])
//     and PyTorch's check_forward_ad check.
import { Tensor, noGrad } from '../../core/index.ts';
import { FLOAT32_EPSILON } from '../../model/defaults.ts';
import type { Precision } from '../../spec/define.ts';
import { formatRatio, plural, scaledBy, short } from '../../model/words.ts';
import type { Diagnosis, InputReport } from '../../model/report.ts';
import { DRAW, drawCotangent, drawSweepDirection } from '../draws.ts';
import { directionalError, elementError, FLOOR_OF_INPUT } from '../numeric/error.ts';
import { climbLadder, componentOf, extrapolate, verdictOf } from '../numeric/ladder.ts';
import type { Extrapolated, Ladder } from '../numeric/ladder.ts';
import { probeNoise } from '../numeric/noise.ts';
import type { NoiseProbe } from '../numeric/noise.ts';
import { hold } from '../numeric/point.ts';
import { concat, dot } from '../numeric/vectors.ts';
import type { CheckedInput } from '../prepare.ts';
import { guard, laidOut, tensorOutputs, weightedSum } from '../problem.ts';
import type { CustomCall, Problem } from '../problem.ts';
import { FLOAT32_ELEMENT_TOLERANCE } from './float32.ts';

/** What forward mode needs of a function: its inputs as held, f, J·v, and Jᵀu if it has one. */
export interface JvpProblem {
  /** Who the rule belongs to, for the rows and messages: '' for the op itself. */
  owner: string;
  inputs: CheckedInput[];
  evaluate(): Float64Array;
  jvp(tangents: (Float64Array | null)[]): Float64Array;
  vjp?(cotangent: Float64Array): (Float64Array | null)[];
}

export interface ForwardOutcome {
  rows: InputReport[];
  diagnoses: Diagnosis[];
  evaluations: number;
}

/** Steps along the tangent: from 0.25 of each element's scale, halved, down to 5e-7 (float32: 1.2e-4, below which its rounding is all there is). */
const LEVELS: Record<Precision, number> = { float64: 20, float32: 12 };
/** Random projections of a float32 output's discrepancies: the first is the one the tangents lean with (see Leaning), the second plain random. */
const PROJECTIONS = 2;

/** The op's own jvp (an engine's), when it has one. */
export function engineJvp(problem: Problem, inputs: CheckedInput[]): JvpProblem | undefined {
  if (!problem.jvp) return undefined;
  return { owner: '', inputs, evaluate: () => problem.evaluate(), jvp: (t) => problem.jvp!(t), vjp: (u) => problem.vjp(u) };
}

/** Each customOp call on the tape that has a jvp, as a function of its own inputs at the values it saw. */
export function customJvps(calls: CustomCall[]): JvpProblem[] {
  const seen = new Set<string>();
  return calls.flatMap((call) => {
    if (!call.jvp || seen.has(call.name)) return [];
    seen.add(call.name);
    const rule = call.jvp;
    const inputs: CheckedInput[] = call.inputs.map((input, i) => {
      const data = Float64Array.from(input.data);
      return { name: call.inputNames[i], shape: input.shape, constant: !input.grad, ...hold(data) };
    });
    const leaves = (grad: boolean) => inputs.map((input) => new Tensor(input.data, input.shape, grad && !input.constant));
    // A customOp with several outputs is one function of its outputs laid end to end, its tangent too.
    const output = () => guard('forward', () => noGrad(() => call.call(...leaves(false))));
    const flat = (value: Tensor | Tensor[], phase: string) => concat(tensorOutputs(value, phase).map(({ tensor }) => tensor.data));
    return [{
      owner: `customOp '${call.name}'`,
      inputs,
      evaluate: () => Float64Array.from(flat(output(), 'forward')),
      jvp: (tangents) => {
        const given = inputs.map((input, k) => (tangents[k] ? new Tensor(Float64Array.from(tangents[k]!), input.shape) : null));
        return Float64Array.from(flat(guard('jvp', () => noGrad(() => rule(given, { inputs: leaves(false), output: output() }))), 'jvp'));
      },
      vjp: (cotangent) => {
        const tensors = leaves(true);
        const outputs = tensorOutputs(guard('forward', () => call.call(...tensors)), 'forward');
        const scalar = weightedSum(outputs, laidOut(outputs.map(({ name, tensor }) => ({ name, shape: [...tensor.shape] }))), cotangent);
        if (scalar) guard('backward', () => scalar.backward());
        return tensors.map((t, k) => (t.grad && !inputs[k].constant ? Float64Array.from(t.grad.data) : null));
      },
    }];
  });
}

export interface JvpCheck {
  opName: string;
  seed: number;
  tolerance: number;
  precision: Precision;
}

export function checkJvp(jp: JvpProblem, check: JvpCheck): ForwardOutcome {
  const rows: InputReport[] = [];
  const diagnoses: Diagnosis[] = [];
  let evaluations = 0;
  const output = jp.evaluate();
  const lean = leaning(jp, output.length, check);
  jp.inputs.forEach((input, k) => {
    if (input.constant) return;
    const label = `${jp.owner ? `${jp.owner} ` : ''}${input.name}`;
    const compared = compareAlongTangent(jp, k, label, output, lean, check);
    evaluations += compared.evaluations;
    const disagreement = jp.vjp && compared.tangent ? consistency(jp, k, label, compared.analytic, compared.tangent, check) : undefined;
    // Rules that disagree fail the row: one of them is wrong, and maxRelErr must say so.
    const { row } = compared;
    rows.push(disagreement ? { ...row, passed: false, relErr: Math.max(row.relErr, disagreement.error), verdict: undefined } : row);
    diagnoses.push(...compared.diagnoses, ...(disagreement ? [disagreement.diagnosis] : []));
  });
  return { rows, diagnoses, evaluations };
}

interface TangentComparison {
  row: InputReport;
  diagnoses: Diagnosis[];
  evaluations: number;
  /** J·v from the rule, and v (absent when the rule's answer could not be compared at all). */
  analytic: Float64Array;
  tangent?: Float64Array;
}

/**
 * What the tangents lean with: a random output projection u and the rule's reverse Jᵀu, when the
 * function has a vjp that gives one. A tangent whose elements take their signs from Jᵀu makes
 * uᵀJv = Σ (Jᵀu)ᵢvᵢ a sum of terms that add up: a rule off by a factor shows there in full, where a
 * plain random tangent lets a reduction's terms cancel, and its difference drown in rounding. The
 * vjp only chooses the direction: a wrong one makes it less telling, never the verdict wrong.
 */
interface Leaning {
  projection: Float64Array;
  gradients?: (Float64Array | null)[];
}

function leaning(jp: JvpProblem, outputs: number, { seed, opName }: JvpCheck): Leaning {
  const projection = drawCotangent(seed, `${DRAW.cotangent(opName)}/jvp/${jp.owner}/projection`, outputs, { randomForScalar: true });
  try {
    const gradients = jp.vjp?.(projection);
    return { projection, ...(gradients?.every((g) => g === null || g.every(Number.isFinite)) ? { gradients } : {}) };
  } catch {
    return { projection };
  }
}

/** The jvp of input k along a seeded tangent, against the ladder of differences along it. */
function compareAlongTangent(jp: JvpProblem, k: number, label: string, output: Float64Array, lean: Leaning, check: JvpCheck): TangentComparison {
  const { seed, opName, precision } = check;
  const input = jp.inputs[k];
  const direction = drawSweepDirection(seed, `${DRAW.sweepDirection(opName, label)}/jvp`, input.data.length);
  const towards = lean.gradients?.[k];
  if (towards) for (let i = 0; i < direction.length; i++) direction[i] = Math.abs(direction[i]) * (towards[i] < 0 ? -1 : 1);
  const directions = jp.inputs.map((_, j) => (j === k ? direction : null));
  const tangent = direction.map((d, i) => d * input.scales[i]);
  const analytic = jp.jvp(jp.inputs.map((_, j) => (j === k ? tangent : null)));
  if (analytic.length !== output.length) {
    const message = `the jvp of '${label}' returned ${analytic.length} values for an output of ${output.length}`;
    return { row: jvpRow(input, label, false, Infinity), diagnoses: [{ code: 'wrong-shape', input: input.name, message }], evaluations: 0, analytic };
  }
  const notFinite = analytic.findIndex((v) => !Number.isFinite(v));
  if (notFinite >= 0) {
    const message = `the forward-mode rule (jvp) of ${quoted(label)} gave ${analytic[notFinite]} at output element [${notFinite}], where f is finite: look for a division by 0 or an exp that overflows in the rule.`;
    return { row: jvpRow(input, label, false, Infinity, notFinite, analytic[notFinite], NaN), diagnoses: [{ code: 'non-finite', input: input.name, message }], evaluations: 0, analytic };
  }
  // J·Δ over each step as the engine stored it: a float32 engine rounds x ± t·v, and J·(2t·v) would
  // count that rounding as the rule's error. In float64 the rounding is far below the noise.
  const rounds = input.rounds;
  const change = ([...spans]: readonly (Float64Array | null)[], t: number) => (rounds ? jp.jvp(spans) : analytic.map((a) => a * 2 * t));
  const f = () => jp.evaluate();
  const probe = probeNoise({ inputs: jp.inputs, directions, f, change: rounds ? (displacements) => jp.jvp([...displacements]) : undefined });
  const ladder = climbLadder({ inputs: jp.inputs, directions, f, change, levels: LEVELS[precision] });
  const judged = judgeElements(analytic, output, ladder, probe, check);
  const projected = precision === 'float32' ? judgeProjections(analytic, output, ladder, probe, lean.projection, check, input.name, label) : undefined;
  const evaluations = ladder.evaluations + probe.evaluations;
  const failedElements = judged.confirmed.length > 0;
  const failedProjection = projected?.says === 'fail';
  const passed = !failedElements && !failedProjection;
  const unresolved = projected ? projected.says === 'unresolved' : judged.unresolved.length > 0;
  const relErr = projected && !failedElements ? projected.relErr : judged.relErr;
  const row: InputReport = { ...jvpRow(input, label, passed, relErr, judged.worst, analytic[judged.worst], judged.numeric[judged.worst]), ...(passed && unresolved ? { verdict: 'inconclusive' as const } : {}) };
  const diagnoses: Diagnosis[] = [];
  if (failedElements) diagnoses.push(elementsDiagnosis(input.name, label, analytic, judged));
  else if (failedProjection) diagnoses.push(projected!.diagnosis);
  else if (unresolved) diagnoses.push(unresolvedDiagnosis(input.name, label, projected?.uncertainty ?? judged.uncertainty, relErr, check));
  return { row, diagnoses, evaluations, analytic, tangent };
}

interface JudgedElements {
  /** Per output element: the rule's J·v plus the extrapolated discrepancy. */
  numeric: Float64Array;
  relErr: number;
  worst: number;
  confirmed: number[];
  unresolved: number[];
  /** The largest bound (relative) among the unresolved elements. */
  uncertainty: number;
}

/**
 * Each output element's discrepancy extrapolated to step 0 with its own bound: agreed within the
 * tolerance (float32: 1e-2, its elements being noise-bound), confirmed beyond it and the bound, or
 * unresolved.
 */
function judgeElements(analytic: Float64Array, output: Float64Array, ladder: Ladder, probe: NoiseProbe, { tolerance, precision }: JvpCheck): JudgedElements {
  const elementTolerance = precision === 'float32' ? Math.max(tolerance, FLOAT32_ELEMENT_TOLERANCE) : tolerance;
  const extrapolated = Array.from(analytic, (_, j) => extrapolate(componentOf(ladder, j), ladder.steps, elementNoise(probe, output, j, precision)));
  const numeric = Float64Array.from(analytic, (a, j) => a + extrapolated[j].value);
  let largest = 0;
  for (let j = 0; j < analytic.length; j++) largest = Math.max(largest, Math.abs(analytic[j]), Number.isFinite(numeric[j]) ? Math.abs(numeric[j]) : 0);
  const floor = Math.max(FLOOR_OF_INPUT * largest, Number.MIN_VALUE);
  const judged: JudgedElements = { numeric, relErr: 0, worst: 0, confirmed: [], unresolved: [], uncertainty: 0 };
  extrapolated.forEach((e, j) => {
    const error = elementError(analytic[j], numeric[j], floor);
    if (error > judged.relErr) [judged.relErr, judged.worst] = [error, j];
    if (error <= elementTolerance) return;
    const scale = Math.max(Math.abs(analytic[j]), Number.isFinite(numeric[j]) ? Math.abs(numeric[j]) : 0, floor);
    const verdict = verdictOf(e, scale, elementTolerance);
    if (verdict.says === 'fail') judged.confirmed.push(j);
    else if (verdict.says === 'unresolved') {
      judged.unresolved.push(j);
      judged.uncertainty = Math.max(judged.uncertainty, verdict.uncertainty);
    }
  });
  judged.confirmed.sort((a, b) => elementError(analytic[b], numeric[b], floor) - elementError(analytic[a], numeric[a], floor));
  return judged;
}

/** f's rounding noise per evaluation in output element j: measured, and never below the model's (16 ulps in float64). */
function elementNoise(probe: NoiseProbe, output: Float64Array, j: number, precision: Precision): number {
  const measured = probe.noiseOf(j);
  // In float32 never below the rounding the element carries: one that saturates (a sigmoid near 1)
  // moves by less than its quantum over a step, which the probe sees as a straight line, not noise.
  if (precision === 'float32') return Math.max(measured, FLOAT32_EPSILON * Math.abs(output[j]));
  return Math.max(measured, 16 * Number.EPSILON * Math.abs(output[j]));
}

interface JudgedProjections {
  says: 'pass' | 'fail' | 'unresolved';
  relErr: number;
  uncertainty: number;
  diagnosis: Diagnosis;
}

/**
 * A float32 output's discrepancies along random projections u: uᵀe sums every element's while its
 * rounding does not grow with them, so it resolves what no element can, measured against the size
 * of the terms uⱼ(J·v)ⱼ it sums (as reverse mode's directions are).
 */
function judgeProjections(analytic: Float64Array, output: Float64Array, ladder: Ladder, probe: NoiseProbe, leaningProjection: Float64Array, { seed, opName, tolerance }: JvpCheck, name: string, label: string): JudgedProjections {
  const along = Array.from({ length: PROJECTIONS }, (_, p) => {
    // The first, the projection the tangent leans with; the second, plain random.
    const u = p === 0 ? leaningProjection : drawCotangent(seed, `${DRAW.cotangent(opName)}/jvp/${label}/projection/${p}`, analytic.length, { randomForScalar: true });
    let terms = 0;
    let outputTerms = 0;
    for (let j = 0; j < u.length; j++) {
      terms += (u[j] * analytic[j]) ** 2;
      outputTerms += (u[j] * output[j]) ** 2;
    }
    const scale = Math.sqrt(terms) || Number.MIN_VALUE;
    const noise = Math.max(probe.noiseOf(u), FLOAT32_EPSILON * Math.sqrt(outputTerms));
    const e: Extrapolated = extrapolate(componentOf(ladder, u), ladder.steps, noise);
    const projectedAnalytic = dot(u, analytic);
    return { ...verdictOf(e, scale, tolerance), analytic: projectedAnalytic, numeric: projectedAnalytic + e.value };
  });
  const says = along.some((a) => a.says === 'fail') ? 'fail' : along.every((a) => a.says === 'pass') ? 'pass' : 'unresolved';
  const relErr = Math.max(...along.map((a) => a.relErr));
  const uncertainty = Math.max(...along.map((a) => a.uncertainty));
  const ratios = along.map((a) => a.analytic / a.numeric);
  const ratio = (ratios[0] + ratios[1]) / 2;
  const consistent = ratios.every(Number.isFinite) && Math.abs(ratios[0] - ratios[1]) <= 0.1 * Math.abs(ratio - 1);
  const pattern = consistent ? `the jvp is ${scaledBy(ratio)} (jvp/numeric = ${formatRatio(ratio)} along both)` : `jvp/numeric ${ratios.map(short).join(' and ')}, not one constant factor`;
  const diagnosis: Diagnosis = {
    code: 'jvp',
    input: name,
    message:
      `the forward-mode rule (jvp) of ${quoted(label)} differs from finite differences along a random tangent: projected on ${PROJECTIONS} random output ` +
      `directions (float32: element by element the rounding is too large), ${pattern}; relative error ${short(relErr)}.`,
    ...(consistent ? { detail: { ratio } } : {}),
  };
  return { says, relErr, uncertainty, diagnosis };
}

function elementsDiagnosis(name: string, label: string, analytic: Float64Array, judged: JudgedElements): Diagnosis {
  const { confirmed, numeric } = judged;
  const worst = confirmed[0];
  const ratios = confirmed.map((j) => analytic[j] / numeric[j]).filter(Number.isFinite);
  const ratio = ratios.reduce((a, b) => a + b, 0) / ratios.length;
  const consistent = ratios.length === confirmed.length && ratios.every((r) => Math.abs(r - ratio) <= Math.max(0.1 * Math.abs(ratio - 1), 1e-7));
  const pattern = consistent ? `: the jvp is ${scaledBy(ratio)} there (jvp/numeric = ${formatRatio(ratio)} throughout)` : '';
  return {
    code: 'jvp',
    input: name,
    message:
      `the forward-mode rule (jvp) of ${quoted(label)} differs from finite differences along a random tangent on ${confirmed.length} of ${plural(analytic.length, 'output element')} ` +
      `(worst [${worst}]: jvp ${short(analytic[worst])}, numeric ${short(numeric[worst])}, relative error ${short(judged.relErr)})${pattern}.`,
    ...(consistent ? { detail: { ratio } } : {}),
  };
}

function unresolvedDiagnosis(name: string, label: string, uncertainty: number, relErr: number, { tolerance }: JvpCheck): Diagnosis {
  return {
    code: 'inconclusive',
    input: name,
    message:
      `the finite differences along the tangent of ${quoted(label)} are uncertain by ${short(uncertainty)} (relative; extrapolated over steps from 0.25 down, ` +
      `with f's rounding noise measured), as large as the difference found (${short(relErr)}): the jvp is neither shown wrong nor proven right at tolerance ${short(tolerance)} ` +
      `(the function's own rounding noise, a kink, or the edge of its domain within every step).`,
  };
}

function jvpRow(input: CheckedInput, label: string, passed: boolean, relErr: number, worst = 0, analytic = NaN, numeric = NaN): InputReport {
  return { name: label, shape: input.shape, ad: 'forward', passed, relErr, bestEps: NaN, worst: { index: [worst], analytic, numeric }, sweep: [] };
}

function quoted(label: string): string {
  return label.includes(' ') ? label : `'${label}'`;
}

/** uᵀ(J v) against (Jᵀu)ᵀ v for a seeded cotangent u: the forward and reverse rules must agree. */
function consistency(jp: JvpProblem, k: number, label: string, jv: Float64Array, tangent: Float64Array, { seed, opName, tolerance }: JvpCheck) {
  const u = drawCotangent(seed, `${DRAW.cotangent(opName)}/jvp/${label}`, jv.length, { randomForScalar: true });
  const gradient = jp.vjp!(u)[k];
  if (!gradient) return undefined;
  const forward = dot(u, jv);
  const reverse = dot(gradient, tangent);
  // Each side against the size of the terms it sums, as every directional comparison is measured.
  let a = 0;
  let b = 0;
  for (let i = 0; i < jv.length; i++) a += (u[i] * jv[i]) ** 2;
  for (let i = 0; i < tangent.length; i++) b += (gradient[i] * tangent[i]) ** 2;
  const error = directionalError(forward, reverse, Math.max(Math.sqrt(a), Math.sqrt(b), Number.MIN_VALUE), 0);
  if (!(error > tolerance)) return undefined;
  const diagnosis: Diagnosis = {
    code: 'inconsistent',
    input: jp.inputs[k].name,
    message: `the forward and reverse rules of ${quoted(label)} disagree: uᵀ(J v) = ${short(forward)} from the jvp, (Jᵀu)ᵀ v = ${short(reverse)} from the vjp (relative error ${short(error)}).`,
  };
  return { error, diagnosis };
}
