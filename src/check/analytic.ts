// The analytic side: the backward under test, run twice with the same cotangent. A second answer
// that differs means the backward is not reentrant (gradients that accumulate across passes, or
// hidden state).
import { compareGradients, comparisonFloor } from './numeric/error.ts';
import { transposedShape } from './diagnose/patterns.ts';
import { short } from '../model/words.ts';
import { largestMagnitude } from './numeric/vectors.ts';
import { GradientShapeError } from '../core/index.ts';
import { WrongShapeGradient } from './problem.ts';
import type { Problem } from './problem.ts';
import type { Diagnosis } from '../model/report.ts';

export interface Analytic {
  /** One gradient per input; zeros where the backward produced none (and for constants). */
  gradients: Float64Array[];
  /** Set when the second backward disagreed with the first. */
  reentrancy?: Reentrancy;
}

/** The backward gave a different answer the second time: for which input, and by how much. */
export interface Reentrancy {
  diagnosis: Diagnosis;
  /** The input's index. */
  input: number;
  /** The largest relative difference between the two answers (against 1% of the input's largest gradient). */
  relErr: number;
}

/**
 * `nondetTolerance`: a backward nondeterministic by design (parallel or atomic sums) may differ from
 * one run to the next by this much (relative) without failing, as PyTorch's nondet_tol allows.
 */
export function analyticGradients(problem: Problem, cotangent: Float64Array, nondetTolerance = 0): Analytic {
  const first = runVjp(problem, cotangent);
  const second = runVjp(problem, cotangent);
  const compared = compareRuns(first, second, problem);
  const reentrancy = compared && compared.relErr > nondetTolerance ? compared : undefined;
  return { gradients: withZeros(first, problem), ...(reentrancy ? { reentrancy } : {}) };
}

/** One backward pass; the missing gradients of inputs it did not reach are zeros. */
export function gradientsFor(problem: Problem, cotangent: Float64Array): Float64Array[] {
  return withZeros(runVjp(problem, cotangent), problem);
}

function withZeros(gradients: (Float64Array | null)[], problem: Problem): Float64Array[] {
  return gradients.map((grad, k) => grad ?? new Float64Array(problem.inputs[k].data.length));
}

/**
 * The backward under test. A custom backward that returns a gradient of the wrong shape (the
 * engine's GradientShapeError) gave a wrong gradient: named as the transpose where it is one.
 */
function runVjp(problem: Problem, cotangent: Float64Array): (Float64Array | null)[] {
  try {
    return problem.vjp(cotangent);
  } catch (error) {
    const shapeError = error instanceof GradientShapeError ? error : (error as { cause?: unknown } | null)?.cause;
    if (!(shapeError instanceof GradientShapeError)) throw error;
    // Named as the op's own input when the custom op's input is one; else the message says which.
    const k = problem.inputOf?.(shapeError.tensor);
    const input = k === undefined ? undefined : problem.inputs[k].name;
    const diagnosis = transposedShape(shapeError, input) ?? {
      code: 'wrong-shape',
      input,
      message: `${shapeError.message}: the gradient of an input has its shape.`,
    };
    throw new WrongShapeGradient(shapeError.message, input, diagnosis);
  }
}

/** The backward run twice must give the same answer; when it grows by a whole multiple, gradients accumulated. */
function compareRuns(first: (Float64Array | null)[], second: (Float64Array | null)[], problem: Problem): Reentrancy | undefined {
  for (let k = 0; k < first.length; k++) {
    const a = first[k];
    const b = second[k];
    if (a === null && b === null) continue;
    const same = a !== null && b !== null && identical(a, b);
    if (same) continue;
    const input = problem.inputs[k].name;
    const size = problem.inputs[k].data.length;
    const relErr = relativeDifference(a ?? new Float64Array(size), b ?? new Float64Array(size));
    const ratio = a && b ? consistentRatio(a, b) : undefined;
    if (ratio !== undefined && ratio > 1.5 && Math.abs(ratio - Math.round(ratio)) < 1e-6) {
      const message = `running the backward a second time gave ${Math.round(ratio)}× the first gradient of '${input}': gradients accumulate across passes (forgot zero_grad?)`;
      return { diagnosis: { code: 'accumulated', input, message }, input: k, relErr };
    }
    const message = `running the backward twice with the same cotangent gave different gradients for '${input}' (relative difference ${short(relErr)})`;
    return { diagnosis: { code: 'nondeterministic', input, message }, input: k, relErr };
  }
  return undefined;
}

function identical(a: Float64Array, b: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function relativeDifference(a: Float64Array, b: Float64Array): number {
  return compareGradients(a, b, comparisonFloor(largestMagnitude(a, b)), 0).relErr;
}

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
