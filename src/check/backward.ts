// The analytic side: the backward under test, run twice with the same cotangent. A second answer
// that differs means the backward is not reentrant (gradients that accumulate across passes, or
// hidden state).
import { transposedShape } from './diagnose/patterns.ts';
import { withDiagnoses } from './problem.ts';
import type { Problem } from './problem.ts';
import type { Diagnosis } from './types.ts';

export interface Analytic {
  /** One gradient per input; zeros where the backward produced none. */
  gradients: Float64Array[];
  /** Set when the second backward disagreed with the first. */
  reentrancy?: Diagnosis;
}

export function analyticGradients(problem: Problem, cotangent: Float64Array): Analytic {
  const first = runVjp(problem, cotangent);
  const second = runVjp(problem, cotangent);
  const reentrancy = compareRuns(first, second, problem);
  return { gradients: withZeros(first, problem), ...(reentrancy ? { reentrancy } : {}) };
}

/** One backward pass; the missing gradients of inputs it did not reach are zeros. */
export function gradientsFor(problem: Problem, cotangent: Float64Array): Float64Array[] {
  return withZeros(runVjp(problem, cotangent), problem);
}

function withZeros(gradients: (Float64Array | null)[], problem: Problem): Float64Array[] {
  return gradients.map((grad, k) => grad ?? new Float64Array(problem.inputs[k].data.length));
}

/** The backward under test; a custom backward that returns the transposed shape is named as such. */
function runVjp(problem: Problem, cotangent: Float64Array): (Float64Array | null)[] {
  try {
    return problem.vjp(cotangent);
  } catch (error) {
    const diagnosis = transposedShape(error);
    throw diagnosis ? withDiagnoses(error, [diagnosis]) : error;
  }
}

/** The backward run twice must give the same answer; when it grows by a whole multiple, gradients accumulated. */
function compareRuns(first: (Float64Array | null)[], second: (Float64Array | null)[], problem: Problem): Diagnosis | undefined {
  for (let k = 0; k < first.length; k++) {
    const a = first[k];
    const b = second[k];
    if (a === null && b === null) continue;
    const same = a !== null && b !== null && a.every((v, i) => Object.is(v, b[i]));
    if (same) continue;
    const input = problem.inputs[k].name;
    const ratio = a && b ? consistentRatio(a, b) : undefined;
    if (ratio !== undefined && ratio > 1.5 && Math.abs(ratio - Math.round(ratio)) < 1e-6) {
      return {
        code: 'accumulated',
        input,
        message: `running the backward a second time gave ${Math.round(ratio)}× the first gradient of '${input}': gradients accumulate across passes (forgot zero_grad?)`,
      };
    }
    return {
      code: 'nondeterministic',
      input,
      message: `running the backward twice with the same cotangent gave different gradients for '${input}'`,
    };
  }
  return undefined;
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
