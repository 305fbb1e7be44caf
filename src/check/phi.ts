// φ(x) = v · f(x) for a fixed cotangent v: the scalar every finite difference is taken of. Each
// evaluation is counted (the report's `evaluations`), those of the same φ rebuilt on helper threads
// included, and an output that changes size between evaluations is the op's error.
import { OpRunError } from './problem.ts';
import type { Problem } from './problem.ts';
import { dot } from './numeric/vectors.ts';

export interface Phi {
  (): number;
  /** Evaluations made so far. */
  readonly evaluations: number;
  /**
   * Adds the evaluations helper threads made of their copy of this φ (threads/), or takes back
   * those a single thread would not have made: the count stays the single thread's.
   */
  addEvaluations(count: number): void;
}

export function createPhi(problem: Problem, cotangent: Float64Array): Phi {
  let evaluations = 0;
  const phi = (() => {
    evaluations++;
    const output = problem.evaluate();
    if (output.length !== cotangent.length) {
      throw new OpRunError(`the output changed size from ${cotangent.length} to ${output.length} when an input was perturbed`);
    }
    return dot(cotangent, output);
  }) as Phi;
  Object.defineProperty(phi, 'evaluations', { get: () => evaluations });
  phi.addEvaluations = (count) => {
    evaluations += count;
  };
  return phi;
}
