// The ε sweep as a report: for every input, the full element-wise relative error at every step of
// the sweep. The checker only traces the U-curve along one random direction (two evaluations per
// step) to pick its step; this spends 2·N evaluations per step for N input elements, because a
// report that helps choose ε should show the error the element-wise check would really see.
import type { Op } from '../op/define.ts';
import { OpSpecError, materializeInputs } from '../op/define.ts';
import { createRandom, deriveSeed } from '../op/random.ts';
import { createProblem, OpRunError } from './problem.ts';
import { compareGradients, comparisonFloor, largestMagnitude, numericNoise, phiNoise } from './compare.ts';
import { drawJointDirection, scaledDirectionalError, termScale } from './fast.ts';
import { dot, numericGradient } from './finite-difference.ts';
import { DEFAULT_EPS, DEFAULT_SEED, FLOAT32_EPS, toleranceFor } from './types.ts';
import type { CheckOptions, Status, SweepPoint } from './types.ts';
import { findMinimum, toleranceBand } from './u-curve.ts';
import type { ToleranceBand } from './u-curve.ts';

export type { ToleranceBand };

export interface InputSweep {
  name: string;
  shape: number[];
  /** Within the tolerance at the best step. */
  passed: boolean;
  /** Largest element-wise relative error at each step, in the order of the sweep. */
  sweep: SweepPoint[];
  /** The bottom of the U-curve (on a tie, the larger step: it is further from rounding noise). */
  minimum: SweepPoint;
  /** Absent when no step gets within the tolerance. */
  band?: ToleranceBand;
  /** The step to use for this input: the minimum's. */
  recommendedEps: number;
  /**
   * 'direction' for an input above SWEEP_ELEMENT_WISE_LIMIT elements: the error along one seeded
   * random direction at each step (two evaluations per step, as the checker's own sweep), not the
   * largest element-wise error (2·N evaluations per step).
   */
  measured?: 'direction';
}

/**
 * Above this many elements an input is swept along a random direction: element by element, twelve
 * steps of a 64×64 matmul operand (4096 elements) already take 98,304 evaluations.
 */
export const SWEEP_ELEMENT_WISE_LIMIT = 4096;

export interface OpSweep {
  file: string;
  name: string;
  status: Status;
  elapsedMs: number;
  tolerance: number;
  /** Forward evaluations made. */
  evaluations: number;
  line?: number;
  error?: string;
  stack?: string;
  inputs: InputSweep[];
}

export interface SweepReport {
  passed: boolean;
  tolerance: number;
  seed: number;
  ops: OpSweep[];
}

export function sweepOp(op: Op, options: CheckOptions = {}, file = ''): OpSweep {
  const tolerance = toleranceFor(op.spec?.precision, op.spec?.tolerance, options.tolerance);
  const report: OpSweep = { file, name: op.name, status: 'error', elapsedMs: 0, tolerance, evaluations: 0, line: op.location?.line, inputs: [] };
  const started = performance.now();
  try {
    report.inputs = sweepInputs(op, options, tolerance, () => report.evaluations++);
    report.status = report.inputs.every((input) => input.passed) ? 'pass' : 'fail';
  } catch (error) {
    report.error = error instanceof OpSpecError || error instanceof OpRunError ? error.message : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    report.stack = error instanceof Error ? error.stack : undefined;
  }
  report.elapsedMs = performance.now() - started;
  return report;
}

function sweepInputs(op: Op, options: CheckOptions, tolerance: number, countEvaluation: () => void): InputSweep[] {
  const seed = options.seed ?? DEFAULT_SEED;
  const epsList = options.eps ?? (op.spec?.precision === 'float32' ? FLOAT32_EPS : DEFAULT_EPS);
  const inputs = materializeInputs(op, seed);
  const problem = createProblem(op, inputs);
  const output = Float64Array.from(problem.evaluate());
  // The same cotangent as the checker draws, so the two reports describe the same φ = v · f.
  const cotangent = output.length === 1 ? Float64Array.of(1) : drawNormal(output.length, deriveSeed(seed, `${op.name}/cotangent`));
  let outputMagnitude = 0;
  for (let i = 0; i < output.length; i++) outputMagnitude += Math.abs(cotangent[i] * output[i]);

  const gradients = problem.vjp(cotangent).map((grad, k) => grad ?? new Float64Array(inputs[k].data.length));
  const opScale = largestMagnitude(...gradients);
  const phi = () => {
    countEvaluation();
    return dot(cotangent, problem.evaluate());
  };

  const total = inputs.reduce((sum, input) => sum + input.data.length, 0) * epsList.length;
  let done = 0;
  return inputs.map((input, k) => {
    const alongDirection = input.data.length > SWEEP_ELEMENT_WISE_LIMIT;
    const direction = alongDirection ? drawJointDirection(input.data.length, deriveSeed(seed, `${op.name}/${input.name}/sweep-direction`)) : undefined;
    const scale = direction ? termScale(gradients[k], direction, input.data) : 0;
    const sweep = epsList.map((eps): SweepPoint => {
      options.onProgress?.({ op: op.name, done, total });
      done += input.data.length;
      if (direction) {
        const { relErr } = scaledDirectionalError(phi, input.data, gradients[k], direction, eps, phiNoise(outputMagnitude), 'central', scale);
        return { eps, relErr };
      }
      const numeric = numericGradient(phi, input.data, eps).values;
      const floor = comparisonFloor(largestMagnitude(gradients[k], numeric), opScale);
      return { eps, relErr: compareGradients(gradients[k], numeric, floor, numericNoise(outputMagnitude, eps)).relErr };
    });
    const minimum = findMinimum(sweep);
    return {
      name: input.name,
      shape: input.shape,
      passed: minimum.relErr <= tolerance,
      sweep,
      minimum,
      band: toleranceBand(sweep, minimum, tolerance),
      recommendedEps: minimum.eps,
      ...(alongDirection ? { measured: 'direction' as const } : {}),
    };
  });
}

function drawNormal(length: number, seed: number): Float64Array {
  const random = createRandom(seed);
  return Float64Array.from({ length }, () => random.normal());
}
