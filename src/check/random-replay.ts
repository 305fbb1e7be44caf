// Replayed randomness: a forward that draws from Math.random (a dropout mask, an initializer) is a
// different function at every evaluation, and no finite difference of it means anything. So while
// the op's own code runs, Math.random is a seeded stream restarted before every evaluation (the
// forward, each finite-difference point, each backward): the same draws at every point, and the
// function checked is one function. The native Math.random is back as soon as the op's code returns.
import { createRandom } from '../op/random.ts';
import type { Problem } from './problem.ts';

export interface Replayed extends Problem {
  /** How many numbers the op drew from Math.random in its last evaluation. */
  draws(): number;
}

/**
 * `fresh` (--no-replay-random): the op draws from the native Math.random as it would alone, and
 * its draws are only counted, so that the report can say why such an op's check is meaningless.
 */
export function replayRandom(problem: Problem, seed: number, fresh = false): Replayed {
  let draws = 0;
  const replay = <R>(run: () => R): R => {
    const native = Math.random;
    const stream = createRandom(seed);
    draws = 0;
    Math.random = () => {
      draws++;
      return fresh ? native() : stream.uniform();
    };
    try {
      return run();
    } finally {
      Math.random = native;
    }
  };
  return {
    ...problem,
    evaluate: () => replay(() => problem.evaluate()),
    vjp: (cotangent) => replay(() => problem.vjp(cotangent)),
    ...(problem.customCalls ? { customCalls: () => replay(() => problem.customCalls!()) } : {}),
    ...(problem.jvp ? { jvp: (tangents) => replay(() => problem.jvp!(tangents)) } : {}),
    draws: () => draws,
  };
}
