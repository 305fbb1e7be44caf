// Checks one op: the analytic gradient from the backward under test against centered differences.
//
// Per input: a seeded random direction finds the bottom of the ε U-curve with two evaluations per
// step (the sweep), then the element-wise check runs at that best step. The backward runs twice
// with the same cotangent; a second answer that differs means the backward is not reentrant.
import type { Op } from '../op.ts';
import { OpSpecError, materializeInputs } from '../op.ts';
import { createRandom, deriveSeed } from '../random.ts';
import { createProblem, OpRunError } from './problem.ts';
import type { Problem } from './problem.ts';
import { compareGradients, comparisonFloor, largestMagnitude, numericNoise, phiNoise, unravelIndex } from './compare.ts';
import { directionalError, dot, numericGradient } from './finite-difference.ts';
import { DEFAULT_EPS, DEFAULT_SEED, FLOAT32_EPS, toleranceFor } from './types.ts';
import type { CheckOptions, Diagnosis, InputReport, OpReport, SweepPoint } from './types.ts';

export function checkOp(op: Op, options: CheckOptions = {}, file = ''): OpReport {
  const precision = op.spec?.precision ?? 'float64';
  const tolerance = toleranceFor(precision, op.spec?.tolerance, options.tolerance);
  const report: OpReport = {
    file,
    name: op.name,
    status: 'error',
    elapsedMs: 0,
    maxRelErr: NaN,
    tolerance,
    precision,
    mode: 'element-wise',
    evaluations: 0,
    line: op.location?.line,
    diagnoses: [],
    inputs: [],
  };
  const started = performance.now();
  try {
    runCheck(op, options, tolerance, report);
  } catch (error) {
    report.status = 'error';
    report.error = errorMessage(error);
    report.stack = error instanceof Error ? error.stack : undefined;
  }
  report.elapsedMs = performance.now() - started;
  return report;
}

function runCheck(op: Op, options: CheckOptions, tolerance: number, report: OpReport): void {
  const seed = options.seed ?? DEFAULT_SEED;
  const epsList = options.eps ?? (op.spec?.precision === 'float32' ? FLOAT32_EPS : DEFAULT_EPS);
  const inputs = materializeInputs(op, seed);
  const problem = createProblem(op, inputs);

  const output = Float64Array.from(problem.evaluate());
  assertFinite(output, 'forward output');
  const cotangent = drawCotangent(output.length, deriveSeed(seed, `${op.name}/cotangent`));
  let outputMagnitude = 0;
  for (let i = 0; i < output.length; i++) outputMagnitude += Math.abs(cotangent[i] * output[i]);

  const analytic = problem.vjp(cotangent);
  const again = problem.vjp(cotangent);
  const reentrancy = compareRuns(analytic, again, problem);
  if (reentrancy) report.diagnoses.push(reentrancy);

  const gradients = analytic.map((grad, k) => grad ?? new Float64Array(inputs[k].data.length));
  gradients.forEach((grad, k) => assertFinite(grad, `gradient of input '${inputs[k].name}'`));

  const phi = countingPhi(problem, cotangent, output.length, report);
  const opScale = largestMagnitude(...gradients);
  report.inputs = inputs.map((input, k): InputReport => {
    const direction = drawDirection(input.data.length, deriveSeed(seed, `${op.name}/${input.name}/direction`));
    const points = epsList.map((eps) => ({
      eps,
      ...directionalError(phi, input.data, gradients[k], direction, eps, phiNoise(outputMagnitude)),
    }));
    const sweep: SweepPoint[] = points.map(({ eps, relErr }) => ({ eps, relErr }));

    const elementWise = (eps: number) => {
      const numeric = numericGradient(phi, input.data, eps);
      const floor = comparisonFloor(largestMagnitude(gradients[k], numeric), opScale);
      return { eps, numeric, ...compareGradients(gradients[k], numeric, floor, numericNoise(outputMagnitude, eps)) };
    };
    // The direction's best step is usually the element-wise best too; only a result near or above
    // the tolerance pays for a look at the neighbouring steps.
    const ranked = rankSteps(points);
    let best = elementWise(ranked[0]);
    for (const eps of neighbours(epsList, ranked[0])) {
      if (best.relErr <= tolerance / 10) break;
      const candidate = elementWise(eps);
      if (candidate.relErr < best.relErr) best = candidate;
    }
    const { relErr, worstIndex, numeric } = best;
    return {
      name: input.name,
      shape: input.shape,
      passed: relErr <= tolerance,
      relErr,
      bestEps: best.eps,
      worst: { index: unravelIndex(worstIndex, input.shape), analytic: gradients[k][worstIndex], numeric: numeric[worstIndex] },
      sweep,
    };
  });
  report.maxRelErr = Math.max(...report.inputs.map((r) => r.relErr));
  const passed = report.inputs.every((r) => r.passed) && !reentrancy;
  report.status = passed ? 'pass' : 'fail';
}

/**
 * Steps from best to worst by directional error, counting a step's own rounding noise as error:
 * at tiny steps the noise can make a wrong gradient look right by luck, so such a step never wins.
 * When every step is pure noise (a gradient of exactly zero), the largest step is the most trustworthy.
 */
function rankSteps(points: { eps: number; relErr: number; noise: number }[]): number[] {
  const score = (p: { relErr: number; noise: number }) => p.relErr + p.noise;
  return [...points].sort((a, b) => score(a) - score(b) || b.eps - a.eps).map((p) => p.eps);
}

/** The steps next to `eps` in the sweep (one larger, one smaller). */
function neighbours(epsList: readonly number[], eps: number): number[] {
  const sorted = [...epsList].sort((a, b) => b - a);
  const at = sorted.indexOf(eps);
  return [sorted[at + 1], sorted[at - 1]].filter((e): e is number => e !== undefined);
}

/** phi(x) = dot(cotangent, f(x)), counting evaluations and refusing an output that changes shape. */
function countingPhi(problem: Problem, cotangent: Float64Array, outputLength: number, report: OpReport): () => number {
  return () => {
    report.evaluations++;
    const output = problem.evaluate();
    if (output.length !== outputLength) {
      throw new OpRunError(`the output changed size from ${outputLength} to ${output.length} when an input was perturbed`);
    }
    return dot(cotangent, output);
  };
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

function drawCotangent(length: number, seed: number): Float64Array {
  // A scalar output keeps cotangent 1 so that the printed gradients are the op's own.
  if (length === 1) return Float64Array.of(1);
  const random = createRandom(seed);
  return Float64Array.from({ length }, () => random.normal());
}

function drawDirection(length: number, seed: number): Float64Array {
  const random = createRandom(seed);
  const direction = Float64Array.from({ length }, () => random.normal());
  const largest = largestMagnitude(direction) || 1;
  for (let i = 0; i < length; i++) direction[i] /= largest;
  return direction;
}

function assertFinite(values: Float64Array, what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new OpRunError(`${what} has ${values[i]} at element ${i}`);
  }
}

function errorMessage(error: unknown): string {
  if (error instanceof OpSpecError || error instanceof OpRunError) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
