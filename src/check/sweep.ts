// The ε sweep as a report: for every input, the full element-wise relative error at every step of
// the sweep. The checker only traces the U-curve along one random direction (two evaluations per
// step) to pick its step; this spends 2·N evaluations per step for N input elements, because a
// report that helps choose ε should show the error the element-wise check would really see.
import type { Op } from '../spec/define.ts';
import { OpSpecError } from '../spec/inputs.ts';
import { gradientsFor } from './analytic.ts';
import { compareGradients, comparisonFloor, elementErrors, numericNoise, phiNoise } from './numeric/error.ts';
import { DRAW, drawJointDirection } from './draws.ts';
import { directionalComparison, numericGradient, termScale, usableSteps } from './numeric/differences.ts';
import { sweepOrder } from './numeric/convergence.ts';
import { createPhi } from './phi.ts';
import { prepare, settingsFor } from './prepare.ts';
import type { CheckSettings } from './prepare.ts';
import { OpRunError } from './problem.ts';
import type { CheckOptions } from '../model/options.ts';
import type { InputSweep, OpSweep, Status, SweepStep } from '../model/report.ts';
import { largestMagnitude } from './numeric/vectors.ts';
import { unravelIndex } from '../core/shape.ts';
import { findMinimum, toleranceBand } from '../model/u-curve.ts';

/**
 * Above this many elements an input is swept along a random direction: element by element, twelve
 * steps of a 64×64 matmul operand (4096 elements) already take 98,304 evaluations.
 */
export const SWEEP_ELEMENT_WISE_LIMIT = 4096;

export function sweepOp(op: Op, options: CheckOptions = {}, file = ''): OpSweep {
  const settings: CheckSettings = { ...settingsFor(op, options), order: 1, method: 'central' };
  const report: OpSweep = { file, name: op.name, status: 'error', elapsedMs: 0, tolerance: settings.tolerance, evaluations: 0, line: op.location?.line, inputs: [] };
  const started = performance.now();
  try {
    const { inputs, evaluations } = sweepInputs(op, settings, options);
    report.inputs = inputs;
    report.evaluations = evaluations;
    report.status = inputs.every((input) => input.passed) ? 'pass' : 'fail';
  } catch (error) {
    report.error = error instanceof OpSpecError || error instanceof OpRunError ? error.message : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    report.stack = error instanceof Error ? error.stack : undefined;
  }
  report.elapsedMs = performance.now() - started;
  return report;
}

function sweepInputs(op: Op, settings: CheckSettings, options: CheckOptions): { inputs: InputSweep[]; evaluations: number } {
  const { seed, epsList, tolerance } = settings;
  // The same inputs and cotangent as the checker's, so the two reports describe the same φ = v · f.
  const { inputs, problem, cotangent, outputMagnitude } = prepare(op, settings);
  const gradients = gradientsFor(problem, cotangent);
  const phi = createPhi(problem, cotangent);

  const total = inputs.reduce((sum, input) => sum + (input.constant ? 0 : input.data.length), 0) * epsList.length;
  let done = 0;
  const swept = inputs.flatMap((input, k): InputSweep[] => {
    if (input.constant) return [];
    const steps = usableSteps(input, epsList);
    if (steps.length === 0) throw new OpSpecError(`no step can sweep input '${input.name}': at every ε given, x + h and x − h are the same number for some element (choose larger steps with --eps)`, input.name);
    const alongDirection = input.data.length > SWEEP_ELEMENT_WISE_LIMIT;
    const direction = alongDirection ? drawJointDirection(seed, DRAW.largeSweepDirection(op.name, input.name), input.data.length) : undefined;
    const along = direction && { inputs: [input], directions: [direction], gradients: [gradients[k]] };
    const scale = along ? termScale(along) : 0;
    const sweep = steps.map((eps): SweepStep => {
      options.onProgress?.({ op: op.name, done, total });
      done += input.data.length;
      if (along) {
        const { relErr } = directionalComparison(phi, along, eps, phiNoise(outputMagnitude), 'central', scale);
        return { eps, relErr };
      }
      const numeric = numericGradient(phi, input, eps).values;
      const floor = comparisonFloor(largestMagnitude(gradients[k], numeric));
      const noise = numericNoise(outputMagnitude, eps);
      const { relErr, worstIndex } = compareGradients(gradients[k], numeric, floor, noise);
      if (!options.stepDetail) return { eps, relErr };
      const worst = { index: unravelIndex(worstIndex, input.shape), analytic: gradients[k][worstIndex], numeric: numeric[worstIndex] };
      return { eps, relErr, worst, errors: Array.from(elementErrors(gradients[k], numeric, floor, noise)) };
    });
    const minimum = findMinimum(sweep);
    const convergence = sweepOrder(sweep);
    return [{
      name: input.name,
      shape: input.shape,
      passed: minimum.relErr <= tolerance,
      sweep,
      minimum,
      band: toleranceBand(sweep, minimum, tolerance),
      recommendedEps: minimum.eps,
      ...(convergence ? { convergence } : {}),
      ...(alongDirection ? { measured: 'direction' as const } : {}),
    }];
  });
  return { inputs: swept, evaluations: phi.evaluations };
}
