// Replayed randomness: a forward that draws from Math.random (a dropout mask, an initializer) is a
// different function at every evaluation, and no finite difference of it means anything. So while
// the op's own code runs, Math.random is a seeded stream restarted before every evaluation (the
// forward, each finite-difference point, each backward): the same draws at every point, and the
// function checked is one function. The native Math.random is back as soon as the op's code returns.
import { createRandom } from '../spec/random.ts';
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
  // Made once: every evaluation only restarts it, since this runs twice per element checked and
  // a fresh generator and closure per evaluation cost as much as a small op's forward.
  let stream = createRandom(seed);
  let native = Math.random;
  const draw = (): number => {
    draws++;
    return fresh ? native() : stream.uniform();
  };
  const replay = <A, R>(run: (arg: A) => R, arg: A): R => {
    native = Math.random;
    if (draws > 0) stream = createRandom(seed);
    draws = 0;
    Math.random = draw;
    try {
      return run(arg);
    } finally {
      Math.random = native;
    }
  };
  const evaluate = () => problem.evaluate();
  const vjp = ([cotangent, present]: [Float64Array, (readonly boolean[])?]) => problem.vjp(cotangent, present);
  return {
    ...problem,
    evaluate: () => replay(evaluate, undefined),
    vjp: (cotangent, present) => replay(vjp, [cotangent, present]),
    ...(problem.customCalls ? { customCalls: () => replay(problem.customCalls!, undefined) } : {}),
    ...(problem.jvp ? { jvp: (tangents) => replay(problem.jvp!, tangents) } : {}),
    ...(problem.evaluateFresh ? { evaluateFresh: () => replay(problem.evaluateFresh!, undefined) } : {}),
    ...(problem.watchedVjp ? { watchedVjp: (cotangent) => replay(problem.watchedVjp!, cotangent) } : {}),
    draws: () => draws,
  };
}
