// The element-wise check of one input, as stages that take data and return data:
//   1. trace the ε U-curve along a seeded random direction (two evaluations per step);
//   2. estimate every element's derivative at the best-ranked step, looking at a neighbouring step
//      (or a more accurate method) only when the result is near or above the tolerance, and
//      guarding a pass that a settled smaller step contradicts;
//   3. for a failing input only, say why: re-check where the numeric side is steadiest, probe for
//      kinks, ask whether the difference lies within the numeric estimate's own error
//      (inconclusive), and otherwise name the pattern of the wrong gradient.
import type { CheckedInput } from '../prepare.ts';
import { compareGradients, failingElements } from '../numeric/error.ts';
import { probeKinks } from '../diagnose/kinks.ts';
import type { KinkProbe } from '../diagnose/kinks.ts';
import { inconclusive, kinkFailure, kinkWarning, noiseFloor } from '../diagnose/messages.ts';
import { diagnosePattern } from '../diagnose/patterns.ts';
import { DRAW, drawSweepDirection } from '../draws.ts';
import { createEstimator } from './estimates.ts';
import type { ElementDifferences, ElementEstimate, Estimator } from './estimates.ts';
import { directionalComparison } from '../numeric/differences.ts';
import type { Phi } from '../phi.ts';
import { asVector, probeNoise } from '../numeric/noise.ts';
import { neighbours, rankSteps, settledDisagreement, steadiestStep } from '../numeric/steps.ts';
import type { StepPoint } from '../numeric/steps.ts';
import { FLOAT32_EPSILON } from '../../model/defaults.ts';
import type { Diagnosis, InputReport, Method, WorstElement } from '../../model/report.ts';
import type { Precision } from '../../spec/define.ts';
import { describeOrder } from '../../model/words.ts';
import { directionalOrder } from '../numeric/convergence.ts';
import type { Convergence } from '../../model/report.ts';
import { formatIndex, plural, short } from '../../model/words.ts';
import { refineFailing } from './refine.ts';
import type { Refinement } from './refine.ts';
import { unravelIndex } from '../../core/shape.ts';
import { dot } from '../numeric/vectors.ts';

/** Failing elements a report lists (the rest are counted in the diagnosis). */
const FAILING_SHOWN = 64;

export interface InputCheck {
  opName: string;
  input: CheckedInput;
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
  /** How many times the input feeds the computation on the tape (undefined for other engines). */
  uses?: number;
  /** How the element-wise differences are computed: on this thread by default, or shared with helper threads. */
  differences?: ElementDifferences;
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
  const estimator = createEstimator({ ...check, x: check.input });
  const best = chooseEstimate(check, points, estimator);
  const result = inputReport(check, best, points);
  const { evidence, suspects } = findSuspects(check, points, estimator, best);
  const decided = suspects.length === 0 ? { result, diagnoses: [] } : adjudicate(check, points, evidence, suspects, result);
  const hidden = decided.result.passed ? hiddenKinks(check, evidence, suspects) : [];
  return { ...decided, diagnoses: [...decided.diagnoses, ...hidden], evaluations: check.phi.evaluations - before };
}

type SweepStep = StepPoint & { analytic: number };

/** Stage 1: the directional error at every step of the sweep. */
function traceSweep(check: InputCheck): SweepStep[] {
  const { input, analytic, phi, epsList, method, noiseOfPhi } = check;
  const along = { inputs: [input], directions: [sweepDirection(check)], gradients: [analytic] };
  return epsList.map((eps) => ({ eps, ...directionalComparison(phi, along, eps, noiseOfPhi, method) }));
}

/** f's rounding noise along the sweep's direction, measured (numeric/noise.ts). */
export function probedNoise({ input, analytic, phi, seed, opName }: Pick<InputCheck, 'input' | 'analytic' | 'phi' | 'seed' | 'opName'>): number {
  const direction = drawSweepDirection(seed, DRAW.sweepDirection(opName, input.name), input.data.length);
  const change = ([displacement]: readonly (Float64Array | null)[]) => Float64Array.of(dot(analytic, displacement!));
  return probeNoise({ inputs: [input], directions: [direction], f: asVector(phi), change }).noiseOf(0);
}

function sweepDirection({ seed, opName, input }: InputCheck): Float64Array {
  return drawSweepDirection(seed, DRAW.sweepDirection(opName, input.name), input.data.length);
}

/**
 * Stage 2. The direction's best step is usually the element-wise best too; only a result near or
 * above the tolerance pays for a look at the better-ranked neighbouring step, and only a result
 * still above the tolerance for the other one too.
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
  return best;
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
 * Stage 3: the elements whose verdict the estimates so far cannot be trusted with. For a failing
 * input, every element that fails at the best step or where the numeric side itself is steadiest
 * (a wrong gradient spoils the sweep's ranking, so every step looks about as bad; the steadiest is
 * where consecutive steps agree best). For a passing one, every element whose estimates at two
 * reasonable steps disagree by more than the tolerance: agreeing with one of them may be luck, its
 * truncation error cancelling a real error of the gradient.
 */
function findSuspects(check: InputCheck, points: SweepStep[], estimator: Estimator, best: ElementEstimate): { evidence: ElementEstimate; suspects: number[] } {
  const { analytic, tolerance } = check;
  const failingIn = (estimate: ElementEstimate) => failingElements(analytic, estimate.numeric, estimate.floor, estimate.noise, tolerance);
  const steady = best.relErr <= tolerance ? undefined : steadiestStep(points);
  const evidence = steady !== undefined && steady !== best.eps ? estimator.at(steady) : best;
  const suspects = new Set(best.relErr <= tolerance ? [] : [...failingIn(evidence), ...failingIn(best)]);
  const neighbours = estimator.computed().filter((other) => other !== evidence && other.by === evidence.by && Math.max(other.eps / evidence.eps, evidence.eps / other.eps) <= 10.5);
  for (const other of neighbours) for (const i of disagreeing(analytic, evidence, other, tolerance)) suspects.add(i);
  return { evidence, suspects: [...suspects] };
}

/**
 * Elements on which two estimates a step apart disagree by more than the tolerance allows, beyond
 * what the two estimates' rounding noise can explain: agreement with one of them may be the other
 * step's truncation cancelling a real error. A difference within the noise says nothing either way
 * (the smaller step is simply noisier), and refining it would only measure that noise.
 */
function disagreeing(analytic: Float64Array, evidence: ElementEstimate, other: ElementEstimate, tolerance: number): number[] {
  const noise = evidence.noise + other.noise;
  const found: number[] = [];
  for (let j = 0; j < analytic.length; j++) {
    const scale = Math.max(Math.abs(analytic[j]), Math.abs(evidence.numeric[j]), Math.abs(other.numeric[j]), evidence.floor);
    const gap = Math.abs(other.numeric[j] - evidence.numeric[j]);
    if (!(gap <= tolerance * scale + noise)) found.push(j);
  }
  return found;
}

/**
 * Stage 4, for the suspects only: spend what it takes to decide, and to say why. Kinks are probed
 * first; the suspects no kink explains are refined element by element (refine.ts), and only a
 * confirmed one fails the input. The refined values are the most accurate the check has: the
 * table, the JSON and the diagnosis all show them.
 */
function adjudicate(check: InputCheck, points: SweepStep[], evidence: ElementEstimate, suspects: number[], result: InputReport): Explained {
  const { input, analytic, tolerance, precision, noiseOfPhi, outputMagnitude } = check;
  // f's rounding noise per evaluation: in float64 the model's (16 ulps), or what a probe along the
  // sweep's direction measures when the function is noisier than that. In float32 the probe's alone
  // (the model's worst case, 2⁻²³ of Σ|vᵢfᵢ|, would drown the small steps of an op whose outputs
  // are exact, a clip or a max, and make a step that straddles its kink look best), unless it saw none.
  const probed = probedNoise(check);
  const measuredNoise = precision === 'float32' ? probed || FLOAT32_EPSILON * outputMagnitude : Math.max(noiseOfPhi, probed);
  const kinks = probeKinks({
    phi: check.phi, x: input, analytic, failing: suspects, eps: evidence.eps, floor: evidence.floor, tolerance, noiseOfPhi: measuredNoise,
  });
  const explainedByKinks = kinkVerdict(check, kinks, suspects, evidence, result);
  if (explainedByKinks) return explainedByKinks;

  const explained = kinkExplained(kinks);
  const refinement = refineFailing({
    phi: check.phi, x: input, analytic, evidence, tolerance,
    failing: suspects.filter((i) => !explained.has(i)),
    noiseOfPhi: measuredNoise,
    inputRounding: precision === 'float32' ? FLOAT32_EPSILON : 0,
  });
  const { numeric } = refinement;
  // Kink elements keep the evidence's value but are not compared.
  const compared = Float64Array.from(numeric);
  for (const i of explained) compared[i] = analytic[i];
  const { relErr, worstIndex } = compareGradients(analytic, compared, evidence.floor, evidence.noise);
  const convergence = directionalOrder(points, measuredNoise);
  const refined = { ...result, ...(convergence ? { convergence } : {}), relErr, bestEps: evidence.eps, worst: worstElement(compared.length > explained.size ? shownIndex(worstIndex, explained, compared.length) : worstIndex, input.shape, analytic, numeric), refined: refinement.bounds.size };
  const diagnoses = [...kinkDiagnoses(check, kinks), ...outsideDomain(check, evidence, refinement)];
  if (refinement.confirmed.length > 0) {
    const wrong = failingElements(analytic, compared, evidence.floor, evidence.noise, tolerance);
    const pattern = diagnosePattern({ name: input.name, shape: input.shape, analytic, numeric, failing: wrong, floor: evidence.floor, tolerance, uses: check.uses });
    const confirmed = new Set(refinement.confirmed);
    const indices = (list: number[]) => list.slice(0, FAILING_SHOWN).map((i) => unravelIndex(i, input.shape));
    const undecided = wrong.filter((i) => !confirmed.has(i));
    const elements = { failing: indices(refinement.confirmed), ...(undecided.length > 0 ? { undecided: indices(undecided) } : {}) };
    return { result: { ...refined, passed: false, ...elements }, diagnoses: [...diagnoses, withConvergence(pattern, convergence)] };
  }
  if (refinement.unresolved.length === 0) return { result: { ...refined, passed: relErr <= tolerance }, diagnoses };
  const wrongAlong = wrongAlongDirection(points, convergence, tolerance);
  if (wrongAlong) return { result: { ...refined, passed: false, relErr: Math.max(relErr, wrongAlong.relErr) }, diagnoses: [...diagnoses, wrongAlong.diagnosis] };
  const noisy = probed > 10 * noiseOfPhi;
  return { result: { ...refined, passed: true, verdict: 'inconclusive' }, diagnoses: [...diagnoses, unresolvedDiagnosis(check, refinement, evidence, relErr, noisy)] };
}

function withConvergence(diagnosis: Diagnosis, convergence: Convergence | undefined): Diagnosis {
  return convergence ? { ...diagnosis, message: `${diagnosis.message} Along a random direction ${describeOrder(convergence)}.` } : diagnosis;
}

/**
 * The second opinion that needs no step: element by element nothing converged, but along the
 * sweep's direction the error stopped falling with ε (order below 0.5, over at least two decades of
 * steps whose residuals stand far above the noise) at a level ten times the tolerance. A correct
 * gradient's error falls a hundredfold per decade there, so this one is wrong.
 */
function wrongAlongDirection(points: SweepStep[], convergence: Convergence | undefined, tolerance: number) {
  if (!convergence || convergence.order >= 0.5 || convergence.fromEps / convergence.toEps < 99) return undefined;
  const level = Math.min(...points.filter((p) => p.eps <= convergence.fromEps && p.eps >= convergence.toEps).map((p) => p.relErr));
  if (!(level > 10 * tolerance)) return undefined;
  const diagnosis: Diagnosis = {
    code: 'mismatch',
    message: `element by element the finite differences did not converge, but along a random direction ${describeOrder(convergence)}, at a relative error of ${short(level)}.`,
  };
  return { relErr: level, diagnosis };
}

/**
 * Elements whose difference at the evidence's step was not finite (a probe outside the function's
 * domain: log or sqrt of a negative) and that the refinement estimated from steps that stayed inside.
 */
function outsideDomain({ input }: InputCheck, evidence: ElementEstimate, refinement: Refinement): Diagnosis[] {
  const outside = [...refinement.bounds.keys()].filter((i) => !Number.isFinite(evidence.numeric[i]) && Number.isFinite(refinement.numeric[i]));
  if (outside.length === 0) return [];
  return [{
    code: 'outside-domain',
    input: input.name,
    message:
      `${plural(outside.length, 'element')} of '${input.name}' (first ${formatIndex(outside[0], input.shape)}): a step of ε = ${short(evidence.eps)} left ` +
      `the function's domain (NaN or ±Infinity), so ${outside.length === 1 ? 'it was' : 'they were'} estimated from the smaller steps that stayed inside it. ` +
      `Declaring the input's domain (e.g. domain: [0, Infinity]) keeps every step inside it.`,
  }];
}

/** Why the refined estimates could not decide: rounding noise, or an estimate that never converged. */
function unresolvedDiagnosis({ input, analytic, tolerance, outputMagnitude }: InputCheck, refinement: Refinement, evidence: ElementEstimate, relErr: number, noisierThanFloat64: boolean): Diagnosis {
  const { numeric } = refinement;
  let uncertainty = 0;
  let noisy = true;
  for (const i of refinement.unresolved) {
    const bound = refinement.bounds.get(i);
    if (!bound) continue;
    const scale = Math.max(Math.abs(analytic[i]), Math.abs(numeric[i]), evidence.floor);
    uncertainty = Math.max(uncertainty, bound.bound / scale);
    if (bound.noise < bound.bound / 2) noisy = false;
  }
  if (noisy || noisierThanFloat64) return noiseFloor(input.name, refinement.noise, outputMagnitude, relErr, tolerance);
  return inconclusive(input.name, uncertainty, relErr, tolerance);
}

/**
 * Only elements that sit on a kink (one-sided slopes that disagree at every step) are explained by
 * it. An element whose failure vanishes at a smaller step is refined like any other: whether the
 * step crossed a kink or a region of fast curvature, the refined estimate decides.
 */
function kinkExplained(kinks: KinkProbe): Set<number> {
  return new Set(kinks.subgradients.map((e) => e.index));
}

/** Elements of given values probed for kinks even when they pass: a few hundred, six evaluations each. */
const HIDDEN_KINK_PROBES = 256;

/**
 * A kink the centered difference cannot see: abs at exactly 0, where both sides cancel and the
 * analytic 0 agrees. Values drawn at random never sit on a kink; values given (`values`) may, on
 * purpose, so their elements are probed even when the input passes, and a kink among them gets
 * the same warning as relu at 0.
 */
function hiddenKinks(check: InputCheck, evidence: ElementEstimate, suspects: number[]): Diagnosis[] {
  const { input, analytic, tolerance, phi, noiseOfPhi } = check;
  if (!input.given || input.data.length > HIDDEN_KINK_PROBES) return [];
  const probed = new Set(suspects);
  const candidates = Array.from(input.data.keys()).filter((i) => !probed.has(i));
  const kinks = probeKinks({ phi, x: input, analytic, failing: candidates, eps: evidence.eps, floor: evidence.floor, tolerance, noiseOfPhi, probeAll: true });
  return kinkDiagnoses(check, kinks);
}

function kinkDiagnoses({ input }: InputCheck, kinks: KinkProbe): Diagnosis[] {
  return kinks.subgradients.length > 0 ? [kinkWarning(input.name, input.shape, kinks.subgradients)] : [];
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
    const worst = worstElement(explained.size < analytic.length ? shownIndex(worstIndex, explained, analytic.length) : worstIndex, input.shape, analytic, evidence.numeric);
    return { result: { ...result, passed: relErr <= tolerance, relErr, worst }, diagnoses };
  }
  if (kinks.invalid.length > 0) {
    return { result, diagnoses: [...diagnoses, kinkFailure(input.name, input.shape, kinks.invalid)] };
  }
  return undefined;
}

/** The worst element to show: one that was compared (a kink's value was not), when there is one. */
function shownIndex(worstIndex: number, explained: ReadonlySet<number>, length: number): number {
  if (!explained.has(worstIndex)) return worstIndex;
  for (let i = 0; i < length; i++) if (!explained.has(i)) return i;
  return worstIndex;
}

function worstElement(index: number, shape: number[], analytic: Float64Array, numeric: Float64Array): WorstElement {
  return { index: unravelIndex(index, shape), analytic: analytic[index], numeric: numeric[index] };
}
