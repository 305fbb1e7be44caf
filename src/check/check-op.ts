// Checks one op: the analytic gradient from the backward under test against centered differences.
//
// Per input: a seeded random direction finds the bottom of the ε U-curve with two evaluations per
// step (the sweep), then the element-wise check runs at that best step. The backward runs twice
// with the same cotangent; a second answer that differs means the backward is not reentrant.
import type { Op } from '../op/define.ts';
import { OpSpecError, materializeInputs } from '../op/define.ts';
import { createRandom, deriveSeed } from '../op/random.ts';
import { assertElementWiseSize, createProblem, OpRunError } from './problem.ts';
import type { Problem } from './problem.ts';
import { compareGradients, comparisonFloor, largestMagnitude, numericNoise, phiNoise, unravelIndex } from './compare.ts';
import { directionalError, dot, evaluationsPerPoint, NOISE_FACTOR, numericGradient, relativeError } from './finite-difference.ts';
import { diagnosePattern, formatIndex, inconclusive, noiseFloor, nonFinite, short, transposedShape } from './diagnose/patterns.ts';
import { probeKinks } from './diagnose/kinks.ts';
import type { KinkProbe } from './diagnose/kinks.ts';
import { FAST_STAGES, fastCheck } from './fast.ts';
import { ELEMENT_WISE_FALLBACK_LIMIT, localizeFailure } from './localize.ts';
import type { FastPair } from './fast.ts';
import { secondOrderProblem } from './second-order.ts';
import { DEFAULT_EPS, DEFAULT_SEED, FLOAT32_EPS, FLOAT32_EPSILON, toleranceFor } from './types.ts';
import type { CheckOptions, Diagnosis, InputReport, Method, OpReport, SweepPoint, WorstElement } from './types.ts';

export function checkOp(op: Op, options: CheckOptions = {}, file = ''): OpReport {
  // Second order presumes the first: a wrong gradient, differentiated correctly, would pass it
  // (as with JAX's check_grads, order 2 checks both).
  if (options.order === 2) {
    const first = checkOrder(op, { ...options, order: 1 }, file);
    if (first.status !== 'pass') return first;
    const second = checkOrder(op, options, file);
    return { ...second, elapsedMs: first.elapsedMs + second.elapsedMs, evaluations: first.evaluations + second.evaluations };
  }
  return checkOrder(op, options, file);
}

function checkOrder(op: Op, options: CheckOptions, file: string): OpReport {
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
  const method: Method = options.method ?? 'central';
  const order = options.order ?? 1;
  if (order === 2) report.order = 2;
  if (method !== 'central') report.method = method;
  const inputs = materializeInputs(op, seed);
  const problem = order === 2 ? secondOrderProblem(op, inputs, deriveSeed(seed, `${op.name}/order-2`)) : createProblem(op, inputs);

  const output = Float64Array.from(problem.evaluate());
  const badOutput = nonFinite(output, order === 2 ? 'the first-order gradient' : 'the forward output', undefined);
  if (badOutput) {
    report.diagnoses.push(badOutput);
    throw new OpRunError(`${order === 2 ? 'the first-order gradient' : 'forward output'} is not finite at the drawn inputs: ${badOutput.message}`);
  }
  const cotangent = drawCotangent(output.length, deriveSeed(seed, `${op.name}/cotangent`));
  let outputMagnitude = 0;
  for (let i = 0; i < output.length; i++) outputMagnitude += Math.abs(cotangent[i] * output[i]);

  const analytic = runVjp(problem, cotangent, report);
  const again = runVjp(problem, cotangent, report);
  const reentrancy = compareRuns(analytic, again, problem);
  if (reentrancy) report.diagnoses.push(reentrancy);

  const gradients = analytic.map((grad, k) => grad ?? new Float64Array(inputs[k].data.length));
  const badGradients = gradients
    .map((grad, k) => nonFinite(grad, `the analytic gradient of '${inputs[k].name}'`, inputs[k].shape, inputs[k].name))
    .filter((d): d is Diagnosis => d !== undefined);
  if (badGradients.length > 0) {
    // Nothing numeric to compare against a NaN: the gradient is wrong wherever f is finite.
    report.diagnoses.push(...badGradients);
    report.maxRelErr = Infinity;
    report.status = 'fail';
    return;
  }

  const phi = countingPhi(problem, cotangent, output.length, report);
  const noiseOfPhi = phiNoise(outputMagnitude);
  const totalElements = inputs.reduce((n, input) => n + input.data.length, 0);
  const mode = chooseMode(options.mode ?? 'auto', totalElements, () => totalElements * evaluationsPerPoint(method) * timeForward(problem));
  if (mode === 'element-wise') assertElementWiseSize(inputs);

  if (mode === 'fast') {
    // A scalar output has only one cotangent direction: every pair shares the first backward.
    const pairAt = (p: number): FastPair => {
      if (p === 0 || output.length === 1) return { phi, gradients, noiseOfPhi };
      const u = drawCotangent(output.length, deriveSeed(seed, `${op.name}/fast/${p}/cotangent`), true);
      let magnitude = 0;
      for (let i = 0; i < output.length; i++) magnitude += Math.abs(u[i] * output[i]);
      return {
        phi: countingPhi(problem, u, output.length, report),
        gradients: runVjp(problem, u, report).map((g, k) => g ?? new Float64Array(inputs[k].data.length)),
        noiseOfPhi: phiNoise(magnitude),
      };
    };
    const steps = options.eps || op.spec?.precision === 'float32' ? [epsList] : [...FAST_STAGES, epsList];
    const fast = fastCheck(inputs, pairAt, (p) => deriveSeed(seed, `${op.name}/fast/${p}/direction`), steps, method, tolerance, rankSteps);
    if (fast.passed && !reentrancy) {
      report.mode = 'fast';
      report.inputs = fast.inputs;
      report.maxRelErr = fast.relErr;
      report.status = 'pass';
      return;
    }
    report.mode = 'fast-then-element-wise';
    if (totalElements > ELEMENT_WISE_FALLBACK_LIMIT) {
      // Too large to re-check element by element within any sensible time: which input, and how.
      report.mode = 'fast-then-directional';
      const localized = localizeFailure(
        inputs.map((input, k) => ({ ...input, gradient: gradients[k] })),
        phi,
        noiseOfPhi,
        (name, p) => deriveSeed(seed, `${op.name}/${name}/localize/${p}`),
        method,
        tolerance,
        rankSteps,
      );
      report.inputs = localized.inputs;
      report.diagnoses.push(...localized.diagnoses);
      report.maxRelErr = Math.max(...report.inputs.map((r) => r.relErr));
      report.status = report.inputs.every((r) => r.passed) && !reentrancy ? 'pass' : 'fail';
      return;
    }
  }

  const opScale = largestMagnitude(...gradients);
  // Progress for long runs, one input at a time.
  let elementsDone = 0;
  report.inputs = inputs.map((input, k): InputReport => {
    options.onProgress?.({ op: op.name, done: elementsDone, total: totalElements });
    elementsDone += input.data.length;
    const direction = drawDirection(input.data.length, deriveSeed(seed, `${op.name}/${input.name}/direction`));
    const points = epsList.map((eps) => ({
      eps,
      ...directionalError(phi, input.data, gradients[k], direction, eps, noiseOfPhi, method),
    }));
    const sweep: SweepPoint[] = points.map(({ eps, relErr }) => ({ eps, relErr }));

    const computed = new Map<string, ReturnType<typeof elementWiseBy>>();
    const elementWiseBy = (eps: number, by: Method) => {
      const { values: numeric, truncation } = numericGradient(phi, input.data, eps, by);
      const floor = comparisonFloor(largestMagnitude(gradients[k], numeric), opScale);
      const noise = NOISE_FACTOR[by] * numericNoise(outputMagnitude, eps);
      return { eps, by, numeric, truncation, floor, noise, ...compareGradients(gradients[k], numeric, floor, noise) };
    };
    const elementWise = (eps: number, by: Method = method) => {
      const key = `${by} ${eps}`;
      if (!computed.has(key)) computed.set(key, elementWiseBy(eps, by));
      return computed.get(key)!;
    };
    // The direction's best step is usually the element-wise best too; only a result near or above
    // the tolerance pays for a look at the better-ranked neighbouring step, and only a result still
    // above the tolerance for the other one too.
    const ranked = rankSteps(points);
    let best = elementWise(ranked[0]);
    const nextSteps = neighbours(epsList, ranked[0]).sort((a, b) => ranked.indexOf(a) - ranked.indexOf(b));
    nextSteps.forEach((eps, i) => {
      if (best.relErr <= (i === 0 ? tolerance / 10 : tolerance)) return;
      const candidate = elementWise(eps);
      if (candidate.relErr < best.relErr) best = candidate;
    });
    // Just over the tolerance with the centered difference: its truncation error may be all that is
    // left (tiny gradients beside a large output). The 5-point stencil, whose best step is larger,
    // decides; a wrong gradient disagrees with a more accurate estimate all the more.
    // Richardson at larger steps goes further where f's rounding noise is large beside the gradient.
    // A pass at a step whose truncation happened to cancel a real error: the next smaller step,
    // where the numeric side has settled and noise is still small, disagrees. The settled step decides.
    const settled = best.relErr <= tolerance ? settledDisagreement(points, best.eps, tolerance) : undefined;
    if (settled !== undefined) {
      const candidate = elementWise(settled);
      if (candidate.relErr > tolerance) best = candidate;
    }
    const byMethod = best;
    if (method === 'central' && best.relErr > tolerance && best.relErr <= 1000 * tolerance) {
      const tries: [number, Method][] = [[1e-3, 'five-point'], [1e-2, 'five-point'], [1e-2, 'richardson'], [1e-1, 'richardson']];
      for (const [eps, by] of tries) {
        const candidate = elementWise(eps, by);
        if (candidate.relErr < best.relErr) best = candidate;
        if (best.relErr <= tolerance) break;
      }
    }
    const result: InputReport = {
      name: input.name,
      shape: input.shape,
      passed: best.relErr <= tolerance,
      relErr: best.relErr,
      bestEps: best.eps,
      worst: worstElement(best.worstIndex, input.shape, gradients[k], best.numeric),
      sweep,
    };
    if (result.passed) return result;

    // A failing input: spend what it takes to say why. Nothing here runs for a passing input.
    // A wrong gradient spoils the sweep's ranking (every step looks about as bad), so the evidence
    // is taken where the numeric side itself is steadiest: where consecutive steps agree best.
    let evidence = best;
    const steady = steadiestStep(points);
    if (steady !== undefined && steady !== best.eps) {
      evidence = elementWise(steady);
      if (evidence.relErr <= tolerance) {
        return { ...result, passed: true, relErr: evidence.relErr, bestEps: steady, worst: worstElement(evidence.worstIndex, input.shape, gradients[k], evidence.numeric) };
      }
    }
    const measuredNoise = measuredPhiNoise(points, op.spec?.precision === 'float32' ? FLOAT32_EPSILON * outputMagnitude : noiseOfPhi);
    const failing = failingElements(gradients[k], evidence.numeric, evidence.floor, evidence.noise, tolerance);
    const kinks = probeKinks({
      phi, x: input.data, analytic: gradients[k], failing, eps: evidence.eps, floor: evidence.floor, tolerance, noiseOfPhi: measuredNoise,
    });
    report.evaluations += kinks.evaluations;
    const explained = new Set([...kinks.subgradients.map((e) => e.index), ...kinks.nearKink, ...kinks.agreeAtSmallerStep]);
    if (kinks.subgradients.length > 0 || kinks.nearKink.length > 0) {
      report.diagnoses.push(kinkWarning(input.name, input.shape, kinks.subgradients, kinks.nearKink));
    }
    const remaining = failing.filter((i) => !explained.has(i));
    if (remaining.length === 0) {
      // Every failure sat on a kink with a valid subgradient: the op is right there.
      const numeric = Float64Array.from(evidence.numeric);
      for (const i of explained) numeric[i] = gradients[k][i];
      const { relErr, worstIndex } = compareGradients(gradients[k], numeric, evidence.floor, evidence.noise);
      return { ...result, passed: relErr <= tolerance, relErr, worst: worstElement(worstIndex, input.shape, gradients[k], evidence.numeric) };
    }
    if (kinks.invalid.length > 0) {
      report.diagnoses.push(kinkFailure(input.name, input.shape, kinks.invalid));
      return result;
    }

    // Within the numeric estimate's own error (rounding noise measured on the sweep's small steps,
    // or Richardson's truncation estimate)? Then the check cannot decide: inconclusive.
    // A float32 op also rounds x ± h itself: the step it really took is off by up to an ulp of x.
    const inputRounding = op.spec?.precision === 'float32' ? FLOAT32_EPSILON : 0;
    type Estimate = typeof byMethod;
    const h = (estimate: Estimate, i: number) => estimate.eps * Math.max(Math.abs(input.data[i]), 1);
    const noiseBoundAt = (estimate: Estimate, i: number) =>
      (4 * NOISE_FACTOR[estimate.by] * measuredNoise) / (2 * h(estimate, i)) +
      (2 * inputRounding * Math.max(Math.abs(input.data[i]), 1) * Math.abs(gradients[k][i])) / h(estimate, i);
    const richardsonEstimates = [...computed.values()].filter((estimate) => estimate.by === 'richardson');
    // Central and five-point differences carry no truncation estimate of their own. Where a
    // Richardson estimate is more accurate than their distance from it (its own error bound is
    // smaller), their truncation at i is measured by it: where f' is tiny beside f''' (a flat
    // sigmoid∘sigmoid), the central difference at 1e-3 was 4e-6 off through truncation alone while
    // Richardson agreed to 1e-7. A looser Richardson estimate never widens their bound, so a wrong
    // gradient still has to hide within the error of the tightest estimate.
    const truncationBoundAt = (estimate: Estimate, i: number): number => {
      if (!Number.isNaN(estimate.truncation[i])) return 2 * estimate.truncation[i];
      let bound = 0;
      for (const reference of richardsonEstimates) {
        const distance = Math.abs(estimate.numeric[i] - reference.numeric[i]);
        const referenceError = noiseBoundAt(reference, i) + 2 * reference.truncation[i];
        if (referenceError <= distance) bound = Math.max(bound, distance + referenceError);
      }
      return bound;
    };
    const unexplainedAt = (estimate: Estimate) =>
      failingElements(gradients[k], estimate.numeric, estimate.floor, estimate.noise, tolerance).filter((i) => !explained.has(i));
    const withinErrorAt = (estimate: Estimate) =>
      unexplainedAt(estimate).every(
        (i) => Math.abs(gradients[k][i] - estimate.numeric[i]) <= noiseBoundAt(estimate, i) + truncationBoundAt(estimate, i),
      );
    // Judged on the verdict's own step, and on every Richardson estimate (the one method that carries
    // its own truncation error): a difference beyond any one estimate's error bound is a real failure.
    // A tiny step's rounding noise must not excuse a gradient that a larger step shows wrong.
    const judged = [byMethod, ...richardsonEstimates];
    const withinError = judged.every(withinErrorAt);
    if (withinError) {
      // Not a failure: no finite difference could tell this gradient from the truth. The op passes
      // with the verdict and a diagnosis that says how far the check could see: the uncertainty of
      // the estimate whose difference is reported (the best one).
      result.verdict = 'inconclusive';
      result.passed = true;
      report.verdict = 'inconclusive';
      const shown = unexplainedAt(best).length > 0 ? best : byMethod;
      const unexplained = unexplainedAt(shown);
      const noiseBound = (i: number) => noiseBoundAt(shown, i);
      const truncationBound = (i: number) => truncationBoundAt(shown, i);
      const noiseDominates = unexplained.every((i) => noiseBound(i) >= truncationBound(i));
      const scale = (i: number) => Math.max(Math.abs(gradients[k][i]), Math.abs(shown.numeric[i]), shown.floor);
      const largest = Math.max(...unexplained.map((i) => (noiseBound(i) + truncationBound(i)) / scale(i)));
      report.diagnoses.push(
        noiseDominates
          ? noiseFloor(input.name, measuredNoise / Math.max(outputMagnitude, Number.MIN_VALUE), best.relErr, tolerance)
          : inconclusive(input.name, largest / 2, best.relErr, tolerance),
      );
      return result;
    }
    report.diagnoses.push(
      diagnosePattern({ name: input.name, shape: input.shape, analytic: gradients[k], numeric: evidence.numeric, failing: remaining, floor: evidence.floor, tolerance }),
    );
    return result;
  });
  report.maxRelErr = Math.max(...report.inputs.map((r) => r.relErr));
  const passed = report.inputs.every((r) => r.passed) && !reentrancy;
  report.status = passed ? 'pass' : 'fail';
}

/**
 * Auto mode, by input elements in all (N): up to AUTO_SMALL_OP_ELEMENTS element-wise, from
 * AUTO_LARGE_OP_ELEMENTS fast, both without timing anything, so that `run --json` says the same on
 * every machine. Between the two, one forward is timed and the element-wise check runs while its
 * estimated cost (N × evaluations per element × that time) stays under AUTO_ELEMENT_WISE_BUDGET_MS.
 * From 4096 elements the element-wise check makes 8192+ forward evaluations, each reading at least
 * the N inputs: tens of milliseconds at the very least, seconds for sum(matmul 64×64 @ 64×64).
 */
export const AUTO_SMALL_OP_ELEMENTS = 1024;
export const AUTO_LARGE_OP_ELEMENTS = 4096;
export const AUTO_ELEMENT_WISE_BUDGET_MS = 100;

function chooseMode(requested: 'auto' | 'element-wise' | 'fast', elements: number, elementWiseMs: () => number): 'element-wise' | 'fast' {
  if (requested !== 'auto') return requested;
  if (elements <= AUTO_SMALL_OP_ELEMENTS) return 'element-wise';
  if (elements >= AUTO_LARGE_OP_ELEMENTS) return 'fast';
  return elementWiseMs() <= AUTO_ELEMENT_WISE_BUDGET_MS ? 'element-wise' : 'fast';
}

/**
 * One forward's time: the least of up to 50 runs, stopping once 20 ms are spent. The first runs of
 * a fresh op are several times slower (the JIT has not compiled it yet; measured: 16×32 @ 32×8
 * takes ~1 ms cold in a fresh worker, ~25 µs warm) and a loaded machine adds noise; a slow forward
 * is timed once or twice, which is plenty to call it slow.
 */
function timeForward(problem: Problem): number {
  let fastest = Infinity;
  let spent = 0;
  for (let run = 0; run < 50 && spent < 20; run++) {
    const started = performance.now();
    problem.evaluate();
    const took = performance.now() - started;
    fastest = Math.min(fastest, took);
    spent += took;
  }
  return fastest;
}

/** The backward under test; a custom backward that returns the transposed shape is named as such. */
function runVjp(problem: Problem, cotangent: Float64Array, report: OpReport): (Float64Array | null)[] {
  try {
    return problem.vjp(cotangent);
  } catch (error) {
    const diagnosis = transposedShape(error);
    if (diagnosis && !report.diagnoses.some((d) => d.code === 'transposed')) report.diagnoses.push(diagnosis);
    throw error;
  }
}

/**
 * f's rounding noise, measured on the left branch of the sweep's U-curve: where the relative error
 * grows as the step shrinks while the absolute residual (numeric − analytic change) stays put, that
 * residual is the noise itself. A wrong gradient's residual shrinks with the step and never counts. Never below 1/16 of the model (one ulp of the output); the model alone
 * when the sweep shows no such branch.
 */
function measuredPhiNoise(points: { eps: number; relErr: number; residual: number; numeric: number }[], modelNoise: number): number {
  const sorted = [...points].sort((a, b) => b.eps - a.eps);
  const residuals: number[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const p = sorted[i];
    // A step below f's resolution (a float32 engine rounds x ± h back to x) changes nothing: no evidence.
    if (p.numeric === 0 || !Number.isFinite(p.residual) || !(p.relErr < 0.5)) continue;
    // Noise does not shrink with the step; a wrong gradient's share of the residual does (∝ ε),
    // and truncation's faster still. So only a residual that stayed put counts.
    // Two steps in a row, so that a wrong gradient cancelling against truncation at one step cannot pass for noise.
    const next = sorted[i + 1];
    const staysPut = p.residual >= sorted[i - 1].residual / 3 && (next === undefined || next.residual >= p.residual / 3);
    if (staysPut && p.relErr >= 3 * sorted[i - 1].relErr) residuals.push(p.residual);
  }
  if (residuals.length === 0) return modelNoise;
  residuals.sort((a, b) => a - b);
  return Math.max(residuals[residuals.length >> 1], modelNoise / 16);
}

/**
 * The step where the directional numeric estimate changes least from the next smaller step, with
 * the smaller step's rounding noise counted against it (two noisy values can agree by chance).
 */
function steadiestStep(points: { eps: number; numeric: number; noise: number }[]): number | undefined {
  const usable = points.filter((p) => p.numeric !== 0 && Number.isFinite(p.numeric)).sort((a, b) => b.eps - a.eps);
  let steadiest: number | undefined;
  let smallest = Infinity;
  for (let i = 0; i + 1 < usable.length; i++) {
    const change = relativeError(usable[i].numeric, usable[i + 1].numeric) + (Number.isFinite(usable[i + 1].noise) ? usable[i + 1].noise : Infinity);
    if (change < smallest) {
      smallest = change;
      steadiest = usable[i].eps;
    }
  }
  return steadiest;
}

/** Elements over the tolerance, worst first. */
function failingElements(analytic: Float64Array, numeric: Float64Array, floor: number, noise: number, tolerance: number): number[] {
  const errors: { i: number; error: number }[] = [];
  for (let i = 0; i < analytic.length; i++) {
    const a = analytic[i];
    const n = numeric[i];
    if (Math.abs(a) <= noise && Math.abs(n) <= noise) continue;
    const error = Math.abs(a - n) / Math.max(Math.abs(a), Math.abs(n), floor);
    if (!(error <= tolerance)) errors.push({ i, error: Number.isNaN(error) ? Infinity : error });
  }
  return errors.sort((a, b) => b.error - a.error).map((e) => e.i);
}

function worstElement(index: number, shape: number[], analytic: Float64Array, numeric: Float64Array): WorstElement {
  return { index: unravelIndex(index, shape), analytic: analytic[index], numeric: numeric[index] };
}

function kinkWarning(name: string, shape: number[], subgradients: KinkProbe['subgradients'], nearKink: number[]): Diagnosis {
  const parts: string[] = [];
  if (subgradients.length > 0) {
    const e = subgradients[0];
    parts.push(
      `${describeCount(subgradients.length, 'element')} of '${name}' ${verb(subgradients.length, 'sits', 'sit')} on a kink, first ${formatIndex(e.index, shape)}: ` +
        `the slope is ${short(e.left)} from the left and ${short(e.right)} from the right, and the analytic ${short(e.analytic)} ` +
        `lies between them, a valid subgradient`,
    );
  }
  if (nearKink.length > 0) {
    parts.push(`${describeCount(nearKink.length, 'element')} of '${name}' ${verb(nearKink.length, 'lies', 'lie')} within the step of a kink (first ${formatIndex(nearKink[0], shape)}) and agree at a smaller step`);
  }
  return {
    code: 'non-differentiable',
    input: name,
    message: `${parts.join('; ')}. Passed; the centered difference there averages two slopes, so it was not compared.`,
  };
}

function kinkFailure(name: string, shape: number[], invalid: KinkProbe['invalid']): Diagnosis {
  const e = invalid[0];
  return {
    code: 'non-differentiable',
    input: name,
    message:
      `${describeCount(invalid.length, 'element')} of '${name}' ${verb(invalid.length, 'sits', 'sit')} on a kink, first ${formatIndex(e.index, shape)}: the slope is ` +
      `${short(e.left)} from the left and ${short(e.right)} from the right, but the analytic ${short(e.analytic)} is outside ` +
      `[${short(Math.min(e.left, e.right))}, ${short(Math.max(e.left, e.right))}], so it is no subgradient. ` +
      `Return a value between the one-sided slopes there (e.g. 0 for relu at 0).`,
  };
}

function verb(count: number, singular: string, plural: string): string {
  return count === 1 ? singular : plural;
}

function describeCount(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
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
/**
 * The next smaller step than `eps`, when its directional error is above the tolerance although its
 * estimate has settled (it agrees with the step after it to a tenth of that error) and its rounding
 * noise is a tenth of that error or less: then the error there is the gradient's, not the step's.
 */
function settledDisagreement(
  points: { eps: number; relErr: number; noise: number; numeric: number }[],
  eps: number,
  tolerance: number,
): number | undefined {
  const sorted = [...points].sort((a, b) => b.eps - a.eps);
  const at = sorted.findIndex((p) => p.eps === eps);
  const next = sorted[at + 1];
  const after = sorted[at + 2];
  if (at < 0 || next === undefined || after === undefined || !(next.relErr > tolerance)) return undefined;
  const steady = relativeError(next.numeric, after.numeric) <= next.relErr / 10;
  return steady && next.noise * 10 <= next.relErr ? next.eps : undefined;
}

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

function drawCotangent(length: number, seed: number, random = false): Float64Array {
  // A scalar output keeps cotangent 1 so that the printed gradients are the op's own.
  if (length === 1 && !random) return Float64Array.of(1);
  const draw = createRandom(seed);
  return Float64Array.from({ length }, () => draw.normal());
}

function drawDirection(length: number, seed: number): Float64Array {
  const random = createRandom(seed);
  const direction = Float64Array.from({ length }, () => random.normal());
  const largest = largestMagnitude(direction) || 1;
  for (let i = 0; i < length; i++) direction[i] /= largest;
  return direction;
}

function errorMessage(error: unknown): string {
  if (error instanceof OpSpecError || error instanceof OpRunError) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
