// The analytic side: the backward under test, run twice. The second run is handed the cotangent
// scaled by a power of two, c·v: a backward linear in its cotangent, as every backward is, gives
// exactly c times the first answer (scaling by a power of two rounds nothing), so the comparison is
// bit for bit. A second answer that is not c times the first is a backward that ignores the
// gradient it is handed (the same answer again: the classic missing `grad ×`, which an op ending in
// .sum() hides, its cotangent being all ones), one whose gradients accumulate across passes
// ((c + k) times: forgot zero_grad), or one nondeterministic or with hidden state. The first run is
// watched for writes into data the backward does not own (the tape's customOps, an engine's
// cotangent).
import { compareGradients, comparisonFloor } from './numeric/error.ts';
import { transposedShape } from './diagnose/patterns.ts';
import { short } from '../model/words.ts';
import { largestMagnitude } from './numeric/vectors.ts';
import { GradientShapeError } from '../core/index.ts';
import type { Trespass } from '../core/autograd.ts';
import { WrongShapeGradient } from './problem.ts';
import type { Problem } from './problem.ts';
import type { Diagnosis } from '../model/report.ts';
import type { Precision } from '../spec/define.ts';

export interface Analytic {
  /** One gradient per input; zeros where the backward produced none (and for constants). */
  gradients: Float64Array[];
  /** Set when the second backward was not the scaled first. */
  reentrancy?: Reentrancy;
  /** What the backward wrote into data it does not own. */
  trespasses: Trespass[];
}

/** The second backward was not c times the first: for which input, and by how much. */
export interface Reentrancy {
  diagnosis: Diagnosis;
  /** The input's index. */
  input: number;
  /** The largest relative difference between c times the first answer and the second (against 1% of the input's largest gradient). */
  relErr: number;
}

/** What the second backward's cotangent is scaled by: a power of two, so that a linear backward scales exactly. */
export const COTANGENT_SCALE = -2;

/**
 * `nondetTolerance`: a backward nondeterministic by design (parallel or atomic sums) may differ from
 * one run to the next by this much (relative) without failing, as PyTorch's nondet_tol allows.
 * `once`: one backward, neither watched nor run again (beyond the drawn point, where the contract was checked).
 */
export function analyticGradients(problem: Problem, cotangent: Float64Array, nondetTolerance = 0, precision: Precision = 'float64', { once = false } = {}): Analytic {
  if (once) return { gradients: gradientsFor(problem, cotangent), trespasses: [] };
  const watched = problem.watchedVjp ? runVjp(() => problem.watchedVjp!(cotangent), problem) : { gradients: runVjp(() => problem.vjp(cotangent), problem), trespasses: [] };
  const first = watched.gradients;
  const second = runVjp(() => problem.vjp(cotangent.map((v) => COTANGENT_SCALE * v)), problem);
  const compared = compareRuns(first, second, problem, cotangent.length, DENORMAL_SLACK[precision]);
  // Underflow reads as nondeterminism (no other cause fits it): lifted, it is told apart. Asked after
  // the causes are named, since the runs it takes would move a backward's state.
  const underflow = compared?.diagnosis.code === 'nondeterministic' && scalesWhenLifted(problem, cotangent, first, precision);
  const reentrancy = compared && !underflow && compared.relErr > nondetTolerance ? compared : undefined;
  return { gradients: withZeros(first, problem), trespasses: watched.trespasses, ...(reentrancy ? { reentrancy } : {}) };
}

/** One backward pass; the missing gradients of inputs it did not reach are zeros. */
export function gradientsFor(problem: Problem, cotangent: Float64Array): Float64Array[] {
  return withZeros(runVjp(() => problem.vjp(cotangent), problem), problem);
}

function withZeros(gradients: (Float64Array | null)[], problem: Problem): Float64Array[] {
  return gradients.map((grad, k) => grad ?? new Float64Array(problem.inputs[k].data.length));
}

/**
 * The backward under test. A custom backward that returns a gradient of the wrong shape (the
 * engine's GradientShapeError) gave a wrong gradient: named as the transpose where it is one.
 */
function runVjp<T>(vjp: () => T, problem?: Problem): T {
  try {
    return vjp();
  } catch (error) {
    const shapeError = error instanceof GradientShapeError ? error : (error as { cause?: unknown } | null)?.cause;
    if (!(shapeError instanceof GradientShapeError)) throw error;
    // Named as the op's own input when the custom op's input is one; else the message says which.
    const k = problem?.inputOf?.(shapeError.tensor);
    const input = k === undefined ? undefined : problem!.inputs[k].name;
    const diagnosis = transposedShape(shapeError, input) ?? {
      code: 'wrong-shape',
      input,
      message: `${shapeError.message}: the gradient of an input has its shape.`,
    };
    throw new WrongShapeGradient(shapeError.message, input, diagnosis, k === undefined ? undefined : problem!.inputs[k].shape);
  }
}

/**
 * The second answer must be c times the first, bit for bit (±0 alike). Where it is not, why: the
 * same answer again (the gradient handed in was ignored), (c + k) times the first (k passes
 * accumulated), or anything else (hidden state, nondeterminism, or a term that ignores the
 * gradient, which a zero cotangent shows).
 */
function compareRuns(first: (Float64Array | null)[], second: (Float64Array | null)[], problem: Problem, outputs: number, slack: number): Reentrancy | undefined {
  const k = mismatch(first, second, problem, slack);
  if (k < 0) return undefined;
  const [a, b] = pairOf(first, second, problem, k);
  const input = problem.inputs[k].name;
  const relErr = relativeDifference(a.map((v) => COTANGENT_SCALE * v), b);
  return { diagnosis: whyNotScaled(problem, k, input, a, b, outputs, slack), input: k, relErr };
}

/** The first input whose second gradient is not c times its first; −1 when every one is. */
function mismatch(first: (Float64Array | null)[], second: (Float64Array | null)[], problem: Problem, slack: number): number {
  for (let k = 0; k < first.length; k++) {
    if (first[k] === null && second[k] === null) continue;
    const [a, b] = pairOf(first, second, problem, k);
    if (!sameValues(a.map((v) => COTANGENT_SCALE * v), b, slack)) return k;
  }
  return -1;
}

/** Input k's gradients from both runs, zeros where a run gave none. */
function pairOf(first: (Float64Array | null)[], second: (Float64Array | null)[], problem: Problem, k: number): [Float64Array, Float64Array] {
  const size = problem.inputs[k].data.length;
  return [first[k] ?? new Float64Array(size), second[k] ?? new Float64Array(size)];
}

/**
 * Whether a mismatch was underflow: a backward whose intermediate values fall among the denormals
 * rounds them, and c·v then need not give exactly c times v's answer, by more than any slack on the
 * result can allow (a rounded denormal multiplied by a large factor later). Both runs again with the
 * cotangent lifted by a large power of two move every intermediate that scales with it out of that
 * range: a backward that then scales exactly was linear all along. Two more backwards, only on a
 * mismatch.
 */
function scalesWhenLifted(problem: Problem, cotangent: Float64Array, first: (Float64Array | null)[], precision: Precision): boolean {
  const largest = largestMagnitude(cotangent, ...first.filter((grad) => grad !== null));
  const headroom = Math.floor(LIFT_CEILING[precision] - Math.log2(Math.max(2 * largest, Number.MIN_VALUE)));
  const power = Math.min(LIFT_POWER[precision], headroom);
  if (power < 16) return false;
  const lifted = cotangent.map((v) => 2 ** power * v);
  const third = runVjp(() => problem.vjp(lifted), problem);
  const fourth = runVjp(() => problem.vjp(lifted.map((v) => COTANGENT_SCALE * v)), problem);
  return mismatch(third, fourth, problem, 0) < 0;
}

/** How far the cotangent is lifted (a power of two), and below which power of two its largest gradient must stay. */
const LIFT_POWER: Record<Precision, number> = { float64: 600, float32: 60 };
const LIFT_CEILING: Record<Precision, number> = { float64: 1000, float32: 120 };

/** Why the second answer b is not COTANGENT_SCALE times the first a: a zero cotangent's answer tells the causes apart. */
function whyNotScaled(problem: Problem, k: number, input: string, a: Float64Array, b: Float64Array, outputs: number, slack: number): Diagnosis {
  const handed = `handed the cotangent scaled by ${COTANGENT_SCALE}, the backward returned`;
  if (sameValues(a, b, slack)) {
    const message = `${handed} the same gradient of '${input}' as before: it ignores the gradient it is handed (a missing \`grad ×\` in a backward; under .sum() or .mean() the gradient handed down is all ones or 1/N, so the numbers can agree). Multiply by the incoming gradient.`;
    return { code: 'ignores-gradient', input, message, detail: { ratio: 1 } };
  }
  const zero = zeroCotangentGradient(problem, k, outputs);
  const accumulated = `gradients accumulate across passes (forgot zero_grad?)`;
  if (zero && sameValues(zero, b, slack) && b.some((v) => v !== 0)) {
    return { code: 'accumulated', input, message: `handed a zero cotangent after two passes, the backward returned its last gradient of '${input}' again: it keeps its result between passes, so ${accumulated}` };
  }
  const ignored = zero && largestMagnitude(zero) > 0 ? zero[zero.findIndex((v) => Math.abs(v) === largestMagnitude(zero))] : undefined;
  if (ignored !== undefined) {
    const message = `${handed} a gradient of '${input}' that is not ${COTANGENT_SCALE}× the first, and for a zero cotangent it returns ${short(ignored)} (not 0): part of the backward ignores the gradient it is handed. Multiply every term by the incoming gradient.`;
    return { code: 'ignores-gradient', input, message };
  }
  const ratio = consistentRatio(a, b);
  const passes = ratio === undefined ? NaN : ratio - COTANGENT_SCALE;
  if (passes >= 0.5 && Math.abs(passes - Math.round(passes)) < 1e-6) {
    const earlier = Math.round(passes) === 1 ? 'the earlier pass' : `${Math.round(passes)} earlier passes`;
    return { code: 'accumulated', input, message: `${handed} ${short(ratio!)}× the first gradient of '${input}' where ${COTANGENT_SCALE}× was due: ${earlier} stayed in the gradient, so ${accumulated}` };
  }
  const message = `running the backward again with the cotangent scaled by ${COTANGENT_SCALE} gave gradients of '${input}' that are not ${COTANGENT_SCALE}× the first (relative difference ${short(relativeDifference(a.map((v) => COTANGENT_SCALE * v), b))}): the backward is nondeterministic, or keeps state between passes`;
  return { code: 'nondeterministic', input, message };
}

/** Input k's gradient for a zero cotangent (undefined where the backward gives none, or throws). */
function zeroCotangentGradient(problem: Problem, k: number, outputs: number): Float64Array | undefined {
  try {
    return problem.vjp(new Float64Array(outputs))[k] ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * Equal, bit for bit but for the denormal range: there a value has few bits, and scaling a product
 * that rounds into it is not exact, so a few of its steps (`slack`, far below any normal number's
 * rounding) are allowed.
 */
function sameValues(a: Float64Array, b: Float64Array, slack: number): boolean {
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i] || (a[i] !== a[i] && b[i] !== b[i]) || Math.abs(a[i] - b[i]) <= slack) continue;
    return false;
  }
  return true;
}

/** 64 steps of each precision's smallest denormal: 2⁻¹⁰⁷⁴ in float64, 2⁻¹⁴⁹ in float32 (an engine's gradients round there). */
const DENORMAL_SLACK: Record<Precision, number> = { float64: 64 * 2 ** -1074, float32: 64 * 2 ** -149 };

function relativeDifference(a: Float64Array, b: Float64Array): number {
  return compareGradients(a, b, comparisonFloor(largestMagnitude(a, b)), 0).relErr;
}

/** b / a where it is one number for every element (within 1e-9), else undefined. */
function consistentRatio(a: Float64Array, b: Float64Array): number | undefined {
  let ratio: number | undefined;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === 0 && b[i] === 0) continue;
    if (a[i] === 0) return undefined;
    const r = b[i] / a[i];
    if (ratio === undefined) ratio = r;
    else if (Math.abs(r - ratio) > 1e-9 * Math.abs(ratio)) return undefined;
  }
  return ratio;
}
