// Checks one op: the analytic gradient from the backward under test against centered differences.
// The check is a pipeline of stages, each taking data and returning data:
//   prepare (inputs, f, cotangent) → analytic (the backward, twice) → mode →
//   fast (uᵀJv along random directions; on failure: localize per input, or fall through) →
//   element-wise, input by input (element-wise.ts) → the op's report.
import { declaredShape } from '../spec/define.ts';
import type { InputSpec, Op } from '../spec/define.ts';
import { OpSpecError } from '../spec/inputs.ts';
import { analyticGradients } from './analytic.ts';
import type { Analytic } from './analytic.ts';
import { phiNoise } from './numeric/error.ts';
import { nonFinite } from './diagnose/patterns.ts';
import { checkInput } from './modes/element-wise.ts';
import { evaluationsPerPoint, usableSteps } from './numeric/differences.ts';
import { FAST_STAGES, fastCheck } from './modes/fast.ts';
import { ELEMENT_WISE_FALLBACK_LIMIT, localizeFailure } from './modes/localize.ts';
import { checkFloat32Input } from './modes/float32.ts';
import { createPhi } from './phi.ts';
import type { Phi } from './phi.ts';
import { prepare, settingsFor } from './prepare.ts';
import type { Prepared, CheckSettings } from './prepare.ts';
import type { MaterializedInput } from '../spec/inputs.ts';
import { assertElementWiseSize, diagnosesOf, OpRunError, WrongShapeGradient } from './problem.ts';
import type { Problem } from './problem.ts';
import type { CheckMode, Diagnosis, InputReport, OpReport, PrimitiveReport } from '../model/report.ts';
import type { CheckOptions } from '../model/options.ts';
import { namePrimitives, primitiveOps } from './diagnose/primitives.ts';
import { anyCustomJvp } from '../ops/custom.ts';
import { checkJvp, customJvps, engineJvp } from './modes/forward.ts';
import type { JvpProblem } from './modes/forward.ts';
import type { Replayed } from './random-replay.ts';
import { formatStep, plural } from '../model/words.ts';
import { largestMagnitude } from './numeric/vectors.ts';
import { startHelpers } from './threads/split.ts';
import type { Helpers } from './threads/split.ts';

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

/** What the stages after `prepare` conclude, before it is laid out as a report. */
interface Outcome {
  status: 'pass' | 'fail';
  mode: CheckMode;
  inputs: InputReport[];
  diagnoses: Diagnosis[];
  maxRelErr: number;
  evaluations: number;
  primitives?: PrimitiveReport[];
}

/** `alone`: a customOp checked on its own, whose calls are not checked again. */
function checkOrder(op: Op, options: CheckOptions, file: string, alone = false): OpReport {
  const settings = settingsFor(op, options);
  const started = performance.now();
  const report: OpReport = {
    file,
    name: op.name,
    status: 'error',
    elapsedMs: 0,
    maxRelErr: NaN,
    tolerance: settings.tolerance,
    precision: settings.precision,
    mode: 'element-wise',
    evaluations: 0,
    line: op.location?.line,
    diagnoses: [],
    inputs: [],
    ...(settings.order === 2 ? { order: 2 as const } : {}),
    ...(settings.method !== 'central' ? { method: settings.method } : {}),
  };
  try {
    const outcome = runStages(op, settings, options, alone);
    Object.assign(report, outcome);
    if (outcome.inputs.some((input) => input.verdict === 'inconclusive')) report.verdict = 'inconclusive';
  } catch (error) {
    if (error instanceof WrongShapeGradient) {
      Object.assign(report, wrongShapeOutcome(error, op));
    } else {
      report.status = 'error';
      report.error = errorMessage(error);
      report.stack = error instanceof Error ? error.stack : undefined;
      report.diagnoses = diagnosesOf(error);
    }
  }
  // At order 2 the function under test is the gradient: every finding is about its derivative.
  if (settings.order === 2) report.diagnoses = report.diagnoses.map((d) => ({ ...d, message: `second order (the gradient of the gradient): ${d.message}` }));
  report.elapsedMs = performance.now() - started;
  return report;
}

/** The backward returned a gradient of the wrong shape for one input: that input fails, nothing numeric to compare. */
function wrongShapeOutcome(error: WrongShapeGradient, op: Op): Outcome {
  const declared = error.input === undefined ? undefined : (op.spec.inputs as Record<string, InputSpec>)[error.input];
  const row: InputReport | undefined = declared && {
    name: error.input!,
    shape: declaredShape(declared) ?? [],
    passed: false,
    relErr: Infinity,
    bestEps: NaN,
    worst: { index: [], analytic: NaN, numeric: NaN },
    sweep: [],
  };
  return { status: 'fail', mode: 'element-wise', inputs: row ? [row] : [], diagnoses: [error.diagnosis], maxRelErr: Infinity, evaluations: 0 };
}

function runStages(op: Op, settings: CheckSettings, options: CheckOptions, alone: boolean): Outcome {
  const prepared = prepare(op, settings);
  const rules = forwardRules(prepared);
  if ((settings.ad === 'forward' || settings.ad === 'both') && rules.length === 0) {
    throw new OpSpecError(`--ad ${settings.ad} needs a forward-mode rule: the op has no jvp (an engine's \`jvp\`, or a customOp's)`);
  }
  const reverse = settings.ad === 'forward' ? undefined : checkStages(op, prepared, options, alone);
  const checked = withForwardMode(reverse, rules, op, settings);
  const outcome = withRandomNote(checked, prepared.problem, prepared.settings.replayRandom);
  return outcome.status === 'fail' && settings.order === 1 && !alone ? withPrimitives(outcome, prepared, options) : outcome;
}

/** The forward-mode rules the op has: an engine's jvp, and each customOp's on its tape. */
function forwardRules({ problem, settings }: Prepared): JvpProblem[] {
  if (settings.ad === 'reverse' || settings.order === 2) return [];
  const own = engineJvp(problem);
  const custom = anyCustomJvp() ? customJvps(problem.customCalls?.() ?? []) : [];
  return [...(own ? [own] : []), ...custom];
}

/** The reverse check's outcome (if it ran) with the forward-mode rows and findings added. */
function withForwardMode(reverse: Outcome | undefined, rules: JvpProblem[], op: Op, settings: CheckSettings): Outcome {
  const base: Outcome = reverse ?? { status: 'pass', mode: 'element-wise', inputs: [], diagnoses: [], maxRelErr: 0, evaluations: 0 };
  if (rules.length === 0) return base;
  const forward = rules.map((rule) => checkJvp(rule, op.name, settings.seed, settings.tolerance));
  const rows = forward.flatMap((f) => f.rows);
  const inputs = [...base.inputs, ...rows];
  const failed = rows.some((row) => !row.passed);
  return {
    ...base,
    status: base.status === 'fail' || failed ? 'fail' : 'pass',
    inputs,
    diagnoses: [...base.diagnoses, ...forward.flatMap((f) => f.diagnoses)],
    maxRelErr: Math.max(...inputs.filter((row) => !row.constant).map((row) => row.relErr)),
    evaluations: base.evaluations + forward.reduce((n, f) => n + f.evaluations, 0),
  };
}

/** An op that draws from Math.random says so: replayed draws, or fresh ones that make f a different function each time. */
function withRandomNote(outcome: Outcome, problem: Replayed, replayed: boolean): Outcome {
  const draws = problem.draws();
  if (draws === 0) return outcome;
  const drew = `the op draws from Math.random (${plural(draws, 'number')} per evaluation)`;
  const note: Diagnosis = replayed
    ? {
        code: 'replayed-random',
        message: `${drew}: every evaluation replayed the same seeded stream, so it drew the same (the same dropout mask) at every point. --no-replay-random checks it with fresh draws instead.`,
      }
    : {
        code: 'fresh-random',
        message: `${drew} and --no-replay-random gave it fresh numbers at every evaluation: f is a different function at every point, so no finite difference of it is a derivative and this verdict says more about the randomness than the backward. Without --no-replay-random the draws are replayed.`,
      };
  return { ...outcome, diagnoses: [...outcome.diagnoses, note] };
}

/**
 * A failing op built from customOps: each customOp call checked alone at the inputs it saw, so
 * that the report names the backward that is wrong (primitives.ts).
 */
function withPrimitives(outcome: Outcome, { problem, settings }: Prepared, options: CheckOptions): Outcome {
  const subOptions: CheckOptions = { ...options, tolerance: settings.tolerance, order: 1, onProgress: undefined };
  const checked = primitiveOps(problem).map(({ op }) => ({ op, report: checkOrder(op, subOptions, '', true) }));
  const { primitives, diagnosis } = namePrimitives(checked);
  if (primitives.length === 0) return outcome;
  const evaluations = checked.reduce((n, { report }) => n + report.evaluations, 0);
  return { ...outcome, primitives, diagnoses: [...outcome.diagnoses, ...(diagnosis ? [diagnosis] : [])], evaluations: outcome.evaluations + evaluations };
}

/** `alone`: a customOp checked on its own, which no helper thread could load from a file. */
function checkStages(op: Op, prepared: Prepared, options: CheckOptions, alone: boolean): Outcome {
  const { settings, inputs, problem, cotangent, outputMagnitude } = prepared;
  const analytic = analyticGradients(problem, cotangent, settings.nondetTolerance);
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
  const outputNorm = Math.sqrt(squares);
  const computed: InputReport[] = [];
  const diagnoses: Diagnosis[] = [];
  let evaluations = 0;
  inputs.forEach((input, k) => {
    if (input.constant) return;
    const uses = prepared.problem.uses?.()[k];
    const outcome = checkFloat32Input({ ...settings, opName: op.name, input, analytic: analytic.gradients[k], phi, noiseOfPhi, outputMagnitude, outputNorm, uses, elementPass });
    computed.push(outcome.result);
    diagnoses.push(...outcome.diagnoses);
    evaluations += outcome.evaluations;
  });
  return { ...rowsOutcome(reportRows(inputs, computed, analytic.reentrancy)), mode: 'float32-directional', diagnoses: [...reentrancy, ...diagnoses], evaluations };
}

/** The inputs that take a gradient, with theirs: constants are never perturbed. */
interface Variable {
  inputs: MaterializedInput[];
  gradients: Float64Array[];
}

function variableInputs({ inputs }: Prepared, analytic: Analytic): Variable {
  const kept = inputs.map((input, k) => ({ input, gradient: analytic.gradients[k] })).filter(({ input }) => !input.constant);
  return { inputs: kept.map(({ input }) => input), gradients: kept.map(({ gradient }) => gradient) };
}

/**
 * The op's report rows in input order: the rows computed for the inputs that take a gradient, a
 * constant's row for each constant, and the reentrancy check's verdict on the input it concerns
 * (so that a backward that accumulates fails its input, and maxRelErr says so).
 */
function reportRows(inputs: MaterializedInput[], computed: InputReport[], reentrancy: Analytic['reentrancy']): InputReport[] {
  const byName = new Map(computed.map((row) => [row.name, row]));
  return inputs.map((input, k): InputReport => {
    const row = byName.get(input.name) ?? constantRow(input);
    if (reentrancy?.input !== k) return row;
    return { ...row, passed: false, relErr: Math.max(row.relErr, reentrancy.relErr) };
  });
}

function constantRow(input: MaterializedInput): InputReport {
  return { name: input.name, shape: input.shape, passed: true, constant: true, relErr: 0, bestEps: NaN, worst: { index: [], analytic: NaN, numeric: NaN }, sweep: [] };
}

function rowsOutcome(rows: InputReport[]): Pick<Outcome, 'status' | 'inputs' | 'maxRelErr'> {
  const compared = rows.filter((row) => !row.constant);
  return { status: rows.every((row) => row.passed) ? 'pass' : 'fail', inputs: rows, maxRelErr: Math.max(...compared.map((row) => row.relErr)) };
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
    const rows = reportRows(prepared.inputs, fast.inputs, undefined);
    return { outcome: { ...rowsOutcome(rows), mode: 'fast', diagnoses: [], maxRelErr: fast.relErr, evaluations: fast.evaluations }, evaluations: fast.evaluations };
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
function stepsFor(input: MaterializedInput, settings: CheckSettings): { epsList: number[]; skipped?: Diagnosis } {
  const round = settings.precision === 'float32' ? Math.fround : undefined;
  const epsList = usableSteps(input.data, settings.epsList, round);
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

function errorMessage(error: unknown): string {
  if (error instanceof OpSpecError || error instanceof OpRunError) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
