// The element-wise check of one input, as stages that take data and return data:
//   1. trace the ε U-curve along a seeded random direction (two evaluations per step);
//   2. estimate every element's derivative at the best-ranked step, looking at a neighbouring step
//      (or a more accurate method) only when the result is near or above the tolerance, and
//      guarding a pass that a settled smaller step contradicts;
//   3. for a failing input only, say why: re-check where the numeric side is steadiest, probe for
//      kinks, ask whether the difference lies within the numeric estimate's own error
//      (inconclusive), and otherwise name the pattern of the wrong gradient.
import type { MaterializedInput } from '../op/inputs.ts';
import { compareGradients, failingElements } from './compare.ts';
import { probeKinks } from './diagnose/kinks.ts';
import type { KinkProbe } from './diagnose/kinks.ts';
import { kinkFailure, kinkWarning } from './diagnose/messages.ts';
import { diagnosePattern } from './diagnose/patterns.ts';
import { DRAW, drawSweepDirection } from './draws.ts';
import { createEstimator } from './estimates.ts';
import type { ElementEstimate, Estimator } from './estimates.ts';
import { directionalError } from './finite-difference.ts';
import type { Phi } from './phi.ts';
import { measuredPhiNoise, neighbours, rankSteps, settledDisagreement, steadiestStep } from './steps.ts';
import type { StepPoint } from './steps.ts';
import { FLOAT32_EPSILON } from './types.ts';
import type { Diagnosis, InputReport, Method, WorstElement } from './types.ts';
import type { Precision } from '../op/define.ts';
import { inconclusiveVerdict } from './verdict.ts';
import { unravelIndex } from './vectors.ts';

export interface InputCheck {
  opName: string;
  input: MaterializedInput;
  analytic: Float64Array;
  phi: Phi;
  seed: number;
  epsList: readonly number[];
  method: Method;
  tolerance: number;
  precision: Precision;
  /** f's modelled rounding noise per evaluation. */
  noiseOfPhi: number;
  /** Σ|vᵢ fᵢ|. */
  outputMagnitude: number;
  /** The largest gradient magnitude of the whole op. */
  opScale: number;
}

export interface InputOutcome {
  result: InputReport;
  diagnoses: Diagnosis[];
  /** Forward evaluations this input's check made. */
  evaluations: number;
}

export function checkInput(check: InputCheck): InputOutcome {
  const before = check.phi.evaluations;
  const points = traceSweep(check);
  const estimator = createEstimator({ ...check, x: check.input.data });
  const { best, verdictEstimate } = chooseEstimate(check, points, estimator);
  const result = inputReport(check, best, points);
  const explained = result.passed ? { result, diagnoses: [] } : explainFailure(check, points, estimator, best, verdictEstimate, result);
  return { ...explained, evaluations: check.phi.evaluations - before };
}

type SweepStep = StepPoint & { analytic: number };

/** Stage 1: the directional error at every step of the sweep. */
function traceSweep({ opName, input, analytic, phi, seed, epsList, method, noiseOfPhi }: InputCheck): SweepStep[] {
  const direction = drawSweepDirection(seed, DRAW.sweepDirection(opName, input.name), input.data.length);
  return epsList.map((eps) => ({ eps, ...directionalError(phi, input.data, analytic, direction, eps, noiseOfPhi, method) }));
}

/**
 * Stage 2. The direction's best step is usually the element-wise best too; only a result near or
 * above the tolerance pays for a look at the better-ranked neighbouring step, and only a result
 * still above the tolerance for the other one too. `verdictEstimate` is the one the verdict is
 * judged on; `best` may improve on it with a more accurate method.
 */
function chooseEstimate({ epsList, tolerance, method }: InputCheck, points: SweepStep[], estimator: Estimator) {
  const ranked = rankSteps(points);
  let best = estimator.at(ranked[0]);
  const nextSteps = neighbours(epsList, ranked[0]).sort((a, b) => ranked.indexOf(a) - ranked.indexOf(b));
  nextSteps.forEach((eps, i) => {
    if (best.relErr <= (i === 0 ? tolerance / 10 : tolerance)) return;
    const candidate = estimator.at(eps);
    if (candidate.relErr < best.relErr) best = candidate;
  });
  // A pass at a step whose truncation happened to cancel a real error: the next smaller step,
  // where the numeric side has settled and noise is still small, disagrees. The settled step decides.
  const settled = best.relErr <= tolerance ? settledDisagreement(points, best.eps, tolerance) : undefined;
  if (settled !== undefined) {
    const candidate = estimator.at(settled);
    if (candidate.relErr > tolerance) best = candidate;
  }
  const verdictEstimate = best;
  // Just over the tolerance with the centered difference: its truncation error may be all that is
  // left (tiny gradients beside a large output). The 5-point stencil, whose best step is larger,
  // decides; a wrong gradient disagrees with a more accurate estimate all the more. Richardson at
  // larger steps goes further where f's rounding noise is large beside the gradient.
  if (method === 'central' && best.relErr > tolerance && best.relErr <= 1000 * tolerance) {
    const tries: [number, Method][] = [[1e-3, 'five-point'], [1e-2, 'five-point'], [1e-2, 'richardson'], [1e-1, 'richardson']];
    for (const [eps, by] of tries) {
      const candidate = estimator.at(eps, by);
      if (candidate.relErr < best.relErr) best = candidate;
      if (best.relErr <= tolerance) break;
    }
  }
  return { best, verdictEstimate };
}

function inputReport({ input, analytic, tolerance }: InputCheck, best: ElementEstimate, points: SweepStep[]): InputReport {
  return {
    name: input.name,
    shape: input.shape,
    passed: best.relErr <= tolerance,
    relErr: best.relErr,
    bestEps: best.eps,
    worst: worstElement(best.worstIndex, input.shape, analytic, best.numeric),
    sweep: points.map(({ eps, relErr }) => ({ eps, relErr })),
  };
}

interface Explained {
  result: InputReport;
  diagnoses: Diagnosis[];
}

/**
 * Stage 3, for a failing input only: spend what it takes to say why. A wrong gradient spoils the
 * sweep's ranking (every step looks about as bad), so the evidence is taken where the numeric side
 * itself is steadiest: where consecutive steps agree best.
 */
function explainFailure(check: InputCheck, points: SweepStep[], estimator: Estimator, best: ElementEstimate, verdictEstimate: ElementEstimate, result: InputReport): Explained {
  const { input, analytic, tolerance, precision, noiseOfPhi, outputMagnitude } = check;
  let evidence = best;
  const steady = steadiestStep(points);
  if (steady !== undefined && steady !== best.eps) {
    evidence = estimator.at(steady);
    if (evidence.relErr <= tolerance) {
      const worst = worstElement(evidence.worstIndex, input.shape, analytic, evidence.numeric);
      return { result: { ...result, passed: true, relErr: evidence.relErr, bestEps: steady, worst }, diagnoses: [] };
    }
  }
  const measuredNoise = measuredPhiNoise(points, precision === 'float32' ? FLOAT32_EPSILON * outputMagnitude : noiseOfPhi);
  const failing = failingElements(analytic, evidence.numeric, evidence.floor, evidence.noise, tolerance);
  const kinks = probeKinks({
    phi: check.phi, x: input.data, analytic, failing, eps: evidence.eps, floor: evidence.floor, tolerance, noiseOfPhi: measuredNoise,
  });
  const explainedByKinks = kinkVerdict(check, kinks, failing, evidence, result);
  if (explainedByKinks) return explainedByKinks;

  const explained = kinkExplained(kinks);
  const diagnoses = kinkDiagnoses(check, kinks);
  const inconclusive = inconclusiveVerdict(
    {
      name: input.name, x: input.data, analytic, tolerance, measuredNoise, outputMagnitude, explained,
      inputRounding: precision === 'float32' ? FLOAT32_EPSILON : 0,
      richardson: estimator.computed().filter((estimate) => estimate.by === 'richardson'),
    },
    verdictEstimate,
    best,
  );
  if (inconclusive) {
    return { result: { ...result, passed: true, verdict: 'inconclusive' }, diagnoses: [...diagnoses, inconclusive] };
  }
  const remaining = failing.filter((i) => !explained.has(i));
  const pattern = diagnosePattern({ name: input.name, shape: input.shape, analytic, numeric: evidence.numeric, failing: remaining, floor: evidence.floor, tolerance });
  return { result, diagnoses: [...diagnoses, pattern] };
}

function kinkExplained(kinks: KinkProbe): Set<number> {
  return new Set([...kinks.subgradients.map((e) => e.index), ...kinks.nearKink, ...kinks.agreeAtSmallerStep]);
}

function kinkDiagnoses({ input }: InputCheck, kinks: KinkProbe): Diagnosis[] {
  const onKink = kinks.subgradients.length > 0 || kinks.nearKink.length > 0;
  return onKink ? [kinkWarning(input.name, input.shape, kinks.subgradients, kinks.nearKink)] : [];
}

/**
 * When every failure sat on a kink with a valid subgradient the op is right there: passed, those
 * elements not compared. A kink whose analytic value lies outside the one-sided slopes fails.
 * Undefined when failures remain that no kink explains.
 */
function kinkVerdict(check: InputCheck, kinks: KinkProbe, failing: number[], evidence: ElementEstimate, result: InputReport): Explained | undefined {
  const { input, analytic, tolerance } = check;
  const explained = kinkExplained(kinks);
  const diagnoses = kinkDiagnoses(check, kinks);
  if (failing.every((i) => explained.has(i))) {
    const numeric = Float64Array.from(evidence.numeric);
    for (const i of explained) numeric[i] = analytic[i];
    const { relErr, worstIndex } = compareGradients(analytic, numeric, evidence.floor, evidence.noise);
    const worst = worstElement(worstIndex, input.shape, analytic, evidence.numeric);
    return { result: { ...result, passed: relErr <= tolerance, relErr, worst }, diagnoses };
  }
  if (kinks.invalid.length > 0) {
    return { result, diagnoses: [...diagnoses, kinkFailure(input.name, input.shape, kinks.invalid)] };
  }
  return undefined;
}

function worstElement(index: number, shape: number[], analytic: Float64Array, numeric: Float64Array): WorstElement {
  return { index: unravelIndex(index, shape), analytic: analytic[index], numeric: numeric[index] };
}
