// The reverse-mode check of an op: the analytic gradients from the backward under test (run twice,
// for reentrancy), then the numeric side in the mode chosen:
//   float32 → along joint directions, then each input on its own where that is not clearly passed (float32.ts);
//   fast → uᵀJv along random directions spanning every input (fast.ts); a failure is localized per
//          input along directions when the op is too large to re-check (localize.ts), else falls through to
//   element-wise → every element of every input (element-wise.ts), split over helper threads for a large op.
import type { Op } from '../../spec/define.ts';
import { OpSpecError } from '../../spec/inputs.ts';
import { analyticGradients } from '../analytic.ts';
import type { Analytic } from '../analytic.ts';
import { phiNoise } from '../numeric/error.ts';
import { nonFinite } from '../diagnose/patterns.ts';
import { checkInput } from './element-wise.ts';
import { evaluationsPerPoint, usableSteps } from '../numeric/differences.ts';
import { FAST_STAGES, fastCheck } from './fast.ts';
import { ELEMENT_WISE_FALLBACK_LIMIT, localizeFailure } from './localize.ts';
import { checkFloat32 } from './float32.ts';
import { createPhi } from '../phi.ts';
import type { Phi } from '../phi.ts';
import type { CheckedInput, Prepared, CheckSettings } from '../prepare.ts';
import { assertElementWiseSize } from '../problem.ts';
import type { Problem } from '../problem.ts';
import type { Diagnosis, InputReport } from '../../model/report.ts';
import type { CheckOptions } from '../../model/options.ts';
import { formatStep } from '../../model/words.ts';
import { startHelpers } from '../threads/split.ts';
import type { Helpers } from '../threads/split.ts';
import { reportRows, rowsOutcome } from './outcome.ts';
import { checkOutputs, withOutputs } from './outputs.ts';
import { trespassDiagnoses, unresponsive, watchingInputs } from '../contract.ts';
import type { Contract } from '../contract.ts';
import type { Outcome } from './outcome.ts';

/** `alone`: a customOp checked on its own, which no helper thread could load from a file. */
export function checkReverse(op: Op, prepared: Prepared, options: CheckOptions, alone: boolean, contract: Pick<Contract, 'responds' | 'writes'>): Outcome {
  const { inputs, problem, cotangent, settings } = prepared;
  // Beyond the drawn point the contract was kept there (contract.ts, keptAtDrawnPoint): one backward, unwatched.
  const beyond = settings.at !== undefined;
  const watched = beyond ? { problem, written: () => [] } : watchingInputs(problem, inputs);
  const analytic = analyticGradients(watched.problem, cotangent, settings.nondetTolerance, settings.precision, { once: beyond });
  // What the backward wrote where it should not: each fails the op; the check goes on from the inputs as drawn.
  const broken = [...trespassDiagnoses(analytic.trespasses), ...(contract.writes ? [] : watched.written())];
  const responds = contract.responds;
  // At a point beyond the drawn one (or a customOp alone), stillness is more often saturation than a cache: not judged there.
  const stale = responds || alone ? undefined : unresponsive(analytic.gradients, inputs, prepared.outputMagnitude);
  if (stale) return { status: 'fail', mode: 'element-wise', inputs: [], diagnoses: [stale, ...broken], maxRelErr: NaN, evaluations: 0 };
  const outcome = withOutputs(compareGradients(op, prepared, options, alone, analytic), checkOutputs(op.name, prepared, analytic));
  return broken.length === 0 ? outcome : { ...outcome, status: 'fail', diagnoses: [...broken, ...outcome.diagnoses] };
}

/** The analytic gradients against the numeric ones, in the mode chosen. */
function compareGradients(op: Op, prepared: Prepared, options: CheckOptions, alone: boolean, analytic: Analytic): Outcome {
  const { settings, inputs, problem, cotangent, outputMagnitude } = prepared;
  const reentrancy = analytic.reentrancy ? [analytic.reentrancy.diagnosis] : [];
  const badGradients = analytic.gradients
    .map((grad, k) => nonFinite(grad, `the analytic gradient of '${inputs[k].name}'`, inputs[k].shape, inputs[k].name))
    .filter((d): d is Diagnosis => d !== undefined);
  if (badGradients.length > 0) {
    // Nothing numeric to compare against a NaN: the gradient is wrong wherever f is finite.
    return { status: 'fail', mode: 'element-wise', inputs: [], diagnoses: [...reentrancy, ...badGradients], maxRelErr: Infinity, evaluations: 0 };
  }
  const phi = createPhi(problem, cotangent);
  const noiseOfPhi = phiNoise(outputMagnitude);
  const variable = variableInputs(prepared, analytic);
  const totalElements = variable.inputs.reduce((n, input) => n + input.data.length, 0);
  let forwardMs: number | undefined;
  const elementWiseMs = () => totalElements * evaluationsPerPoint(settings.method) * (forwardMs ??= timeForward(problem));
  const mode = chooseMode(settings.mode, totalElements, elementWiseMs);
  if (mode === 'element-wise') assertElementWiseSize(variable.inputs);
  if (settings.precision === 'float32') return float32Stage(op, prepared, analytic, phi, noiseOfPhi, reentrancy, mode === 'element-wise');
  let fastEvaluations = 0;
  if (mode === 'fast') {
    const fast = fastStage(op, prepared, variable, analytic, phi, noiseOfPhi, totalElements);
    if (fast.outcome) return fast.outcome;
    fastEvaluations = fast.evaluations;
  }
  const helpers = alone ? undefined : startHelpers({ op, prepared, elementWiseMs, threads: options.threads });
  let elementWise: ReturnType<typeof elementWiseStage>;
  try {
    elementWise = elementWiseStage(op, prepared, analytic, phi, noiseOfPhi, options, helpers);
  } finally {
    helpers?.release();
  }
  return {
    ...elementWise,
    mode: mode === 'fast' ? 'fast-then-element-wise' : 'element-wise',
    diagnoses: [...reentrancy, ...elementWise.diagnoses],
    evaluations: fastEvaluations + elementWise.evaluations,
  };
}

/**
 * A float32 op: each input along random directions, with an element-wise pass at float32's looser
 * tolerance where the mode is element-wise (float32.ts): an op too large for that is decided by
 * its directions alone, as fast mode decides a float64 op.
 */
function float32Stage(op: Op, prepared: Prepared, analytic: Analytic, phi: Phi, noiseOfPhi: number, reentrancy: Diagnosis[], elementPass: boolean): Outcome {
  const { settings, inputs, outputMagnitude, output, cotangent } = prepared;
  let squares = 0;
  for (let i = 0; i < output.length; i++) squares += (cotangent[i] * output[i]) ** 2;
  const variable = variableInputs(prepared, analytic);
  const uses = variable.inputs.map((input) => prepared.problem.uses?.()[inputs.indexOf(input)]);
  const outcome = checkFloat32({
    ...settings, opName: op.name, ...variable, uses, phi, noiseOfPhi, outputMagnitude, outputNorm: Math.sqrt(squares), elementPass,
  });
  const rows = reportRows(inputs, outcome.rows, analytic.reentrancy);
  return { ...rowsOutcome(rows), mode: 'float32-directional', ...(outcome.joint ? { joint: outcome.joint } : {}), diagnoses: [...reentrancy, ...outcome.diagnoses], evaluations: outcome.evaluations };
}

/** The inputs that take a gradient, with theirs: constants are never perturbed. */
interface Variable {
  inputs: CheckedInput[];
  gradients: Float64Array[];
}

function variableInputs({ inputs }: Prepared, analytic: Analytic): Variable {
  const kept = inputs.map((input, k) => ({ input, gradient: analytic.gradients[k] })).filter(({ input }) => !input.constant);
  return { inputs: kept.map(({ input }) => input), gradients: kept.map(({ gradient }) => gradient) };
}

/**
 * Fast mode: a pass is the op's verdict; a failure on an op too large to re-check element by
 * element is localized per input along random directions; any other failure falls through to the
 * element-wise check (no outcome), which names the input and the elements.
 */
function fastStage(op: Op, prepared: Prepared, variable: Variable, analytic: Analytic, phi: Phi, noiseOfPhi: number, totalElements: number): { outcome?: Outcome; evaluations: number } {
  const { settings, problem, output } = prepared;
  const { seed, method, tolerance, epsList } = settings;
  // Steps that move every input element (as in the element-wise check, see stepsFor).
  const usable = variable.inputs.reduce((list, input) => stepsFor(input, { ...settings, epsList: list }).epsList, [...epsList]);
  const steps = settings.epsGiven || settings.precision === 'float32' ? [usable] : [...FAST_STAGES, usable];
  const cotangent = { phi, gradients: variable.gradients, noiseOfPhi };
  const fast = fastCheck({ opName: op.name, seed, inputs: variable.inputs, cotangent, steps, method, tolerance });
  if (fast.passed && !analytic.reentrancy) {
    const { joint } = fast;
    const decided = variable.inputs.map((input): InputReport => ({
      name: input.name, shape: input.shape, passed: true, joint: true, relErr: joint.relErr, bestEps: joint.bestEps, worst: { index: [], analytic: NaN, numeric: NaN }, sweep: [],
    }));
    const rows = reportRows(prepared.inputs, decided, undefined);
    return { outcome: { ...rowsOutcome(rows), mode: 'fast', joint, diagnoses: [], maxRelErr: fast.relErr, evaluations: fast.evaluations }, evaluations: fast.evaluations };
  }
  if (totalElements <= ELEMENT_WISE_FALLBACK_LIMIT) return { evaluations: fast.evaluations };
  // Too large to re-check element by element within any sensible time: which input, and how.
  const localized = localizeFailure({ opName: op.name, seed, inputs: variable.inputs, gradients: variable.gradients, phi, noiseOfPhi, method, tolerance });
  const rows = reportRows(prepared.inputs, localized.inputs, analytic.reentrancy);
  const evaluations = fast.evaluations + localized.evaluations;
  const reentrancy = analytic.reentrancy ? [analytic.reentrancy.diagnosis] : [];
  const outcome: Outcome = { ...rowsOutcome(rows), mode: 'fast-then-directional', diagnoses: [...reentrancy, ...localized.diagnoses], evaluations };
  return { outcome, evaluations };
}

function elementWiseStage(op: Op, prepared: Prepared, analytic: Analytic, phi: Phi, noiseOfPhi: number, options: CheckOptions, helpers: Helpers | undefined) {
  const { settings, inputs, outputMagnitude } = prepared;
  const totalElements = inputs.reduce((n, input) => n + (input.constant ? 0 : input.data.length), 0);
  const computed: InputReport[] = [];
  const diagnoses: Diagnosis[] = [];
  let evaluations = 0;
  let elementsDone = 0;
  inputs.forEach((input, k) => {
    if (input.constant) return;
    options.onProgress?.({ op: op.name, done: elementsDone, total: totalElements });
    elementsDone += input.data.length;
    const { epsList, skipped } = stepsFor(input, settings);
    if (skipped) diagnoses.push(skipped);
    const uses = prepared.problem.uses?.()[k];
    const differences = helpers?.differencesOf(k);
    const outcome = checkInput({ ...settings, epsList, opName: op.name, input, analytic: analytic.gradients[k], phi, noiseOfPhi, outputMagnitude, uses, differences });
    computed.push(outcome.result);
    diagnoses.push(...outcome.diagnoses);
    evaluations += outcome.evaluations;
  });
  return { ...rowsOutcome(reportRows(inputs, computed, analytic.reentrancy)), diagnoses, evaluations };
}

/**
 * The sweep's steps that move every element of the input (as the engine stores it). A step that
 * does not is skipped with a note; when none is left the run's steps cannot check the op at all,
 * an error of the run's options rather than of the gradient.
 */
function stepsFor(input: CheckedInput, settings: CheckSettings): { epsList: number[]; skipped?: Diagnosis } {
  const round = input.rounds;
  const epsList = usableSteps(input, settings.epsList);
  const unusable = settings.epsList.filter((eps) => !epsList.includes(eps));
  if (unusable.length === 0) return { epsList };
  const steps = unusable.map((eps) => formatStep(eps)).join(', ');
  const why = `x + h and x − h are the same number${round ? ' in float32' : ''} for some element of '${input.name}' (h = ε · max(|x|, 1))`;
  if (epsList.length === 0) throw new OpSpecError(`no step can check input '${input.name}': at ε = ${steps}, ${why}: choose larger steps (--eps)`, input.name);
  return { epsList, skipped: { code: 'step-skipped', input: input.name, message: `ε = ${steps} skipped: ${why}, so the difference would divide by zero.` } };
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

function chooseMode(requested: CheckSettings['mode'], elements: number, elementWiseMs: () => number): 'element-wise' | 'fast' {
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

