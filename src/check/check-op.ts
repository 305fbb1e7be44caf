// Checks one op, as a pipeline of stages that each take data and return data:
//   prepare (the inputs held as the engine holds them, f, the cotangent)
//   → reverse mode: the backward under test against finite differences (modes/reverse.ts)
//   → forward mode: each jvp the op has, against finite differences along tangents (modes/forward.ts)
//   → notes (Math.random drawn), and for a failing op built from customOps, each checked alone
//   → the op's report.
// Every stage moves the point and compares numbers through one numeric core (numeric/).
import { declaredShape } from '../spec/define.ts';
import type { InputSpec, Op } from '../spec/define.ts';
import { OpSpecError } from '../spec/inputs.ts';
import { prepare, settingsFor } from './prepare.ts';
import type { At, CheckSettings, Prepared } from './prepare.ts';
import { diagnosesOf, OpRunError, WrongShapeGradient } from './problem.ts';
import type { Diagnosis, InputReport, OpReport } from '../model/report.ts';
import type { CheckOptions } from '../model/options.ts';
import { namePrimitives, primitiveOps } from './diagnose/primitives.ts';
import { anyCustomJvp } from '../ops/custom.ts';
import { checkJvp, customJvps, engineJvp } from './modes/forward.ts';
import type { JvpProblem } from './modes/forward.ts';
import type { Outcome } from './modes/outcome.ts';
import { checkReverse } from './modes/reverse.ts';
import { checkForward, keptAtDrawnPoint } from './contract.ts';
import type { Contract } from './contract.ts';
import { drawnGradientScales, lookBeyond, shrinkDrawn } from './explore/explore.ts';
import type { Replayed } from './random-replay.ts';
import { plural, roundUpDecade } from '../model/words.ts';

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

/**
 * `alone`: a customOp checked on its own, or the op at a point beyond the drawn one (`at`), whose
 * calls are not checked again.
 */
export function checkOrder(op: Op, options: CheckOptions, file: string, alone = false, at?: At): OpReport {
  const own = settingsFor(op, options);
  const settings = { ...own, ...(at ? { at, tolerance: Math.max(own.tolerance, at.tolerance ?? 0) } : {}) };
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
    const outcome = runStages(op, settings, options, alone, file);
    Object.assign(report, outcome);
    // Inconclusive qualifies a pass: an op that fails is failed, whatever else could not be decided.
    if (outcome.status === 'pass' && outcome.inputs.some((input) => input.verdict === 'inconclusive')) report.verdict = 'inconclusive';
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
    shape: error.shape ?? (declaredShape(declared) ?? []).filter((d): d is number => typeof d === 'number'),
    passed: false,
    relErr: Infinity,
    bestEps: NaN,
    worst: { index: [], analytic: NaN, numeric: NaN },
    sweep: [],
  };
  return { status: 'fail', mode: 'element-wise', inputs: row ? [row] : [], diagnoses: [error.diagnosis], maxRelErr: Infinity, evaluations: 0 };
}

function runStages(op: Op, settings: CheckSettings, options: CheckOptions, alone: boolean, file = ''): Outcome {
  const drawn = prepare(op, settings);
  const contract = settings.at ? keptAtDrawnPoint(drawn) : checkForward(drawn, op.name);
  const prepared: Prepared = { ...drawn, problem: contract.problem };
  // A stale forward answers nothing a difference could ask: no gradient is compared.
  if (contract.diagnoses.some((d) => d.code === 'stale-forward')) return { ...broken(contract.diagnoses), evaluations: contract.evaluations };
  const rules = forwardRules(prepared);
  if ((settings.ad === 'forward' || settings.ad === 'both') && rules.length === 0) {
    throw new OpSpecError(`--ad ${settings.ad} needs a forward-mode rule: the op has no jvp (an engine's \`jvp\`, or a customOp's)`);
  }
  const reverse = settings.ad === 'forward' ? undefined : checkReverse(op, prepared, options, alone, contract);
  const checked = withBrokenContract(withForwardMode(reverse, rules, op, settings), contract);
  const noted = withRandomNote(checked, prepared.problem, prepared.settings.replayRandom);
  const outcome = { ...noted, ...(Object.keys(prepared.dims).length > 0 ? { dims: prepared.dims } : {}) };
  if (settings.order !== 1 || alone) return outcome;
  return withBeyond(withPrimitives(outcome, prepared, options), op, prepared, options, file);
}

/**
 * A passing op checked at points beyond the drawn one (explore/): a plain run's few, or --explore's
 * many with sizes and shrinking; under --explore an op that fails at its drawn point has that
 * failure shrunk. Not under an explicit --mode fast (asked for the quickest check), nor for
 * forward-mode rules alone.
 */
function withBeyond(outcome: Outcome, op: Op, prepared: Prepared, options: CheckOptions, file: string): Outcome {
  const { settings } = prepared;
  const wanted = options.explore === undefined ? settings.mode !== 'fast' : options.explore > 0;
  if (!wanted || settings.ad === 'forward') return outcome;
  const pointOptions: CheckOptions = { ...options, mode: 'fast', explore: 0, ad: 'reverse', onProgress: undefined };
  const gradientScales = drawnGradientScales(prepared);
  // Where the drawn point could not resolve the op to its tolerance (its own noise), the other
  // points are held to what it could, as its noise-floor advice says: else the same rounding,
  // confirmable at some point, would fail the op there.
  const unresolved = outcome.inputs.filter((input) => input.verdict === 'inconclusive').map((input) => input.relErr);
  const tolerance = unresolved.length > 0 ? roundUpDecade(10 * Math.max(...unresolved)) : undefined;
  const checkAt = (at: At) => checkOrder(op, pointOptions, file, true, { ...at, gradientScales, ...(tolerance ? { tolerance } : {}) });
  if (outcome.status === 'fail' && (options.explore ?? 0) > 0 && outcome.inputs.some((input) => !input.passed)) {
    const { minimal, evaluations } = shrinkDrawn(op, prepared, checkAt);
    return { ...outcome, ...(minimal ? { minimal } : {}), evaluations: outcome.evaluations + evaluations };
  }
  if (outcome.status !== 'pass') return outcome;
  const beyond = lookBeyond(op, prepared, options, checkAt);
  return {
    ...outcome,
    ...(beyond.failed ? { status: 'fail' as const, diagnoses: [...outcome.diagnoses, ...beyond.diagnoses] } : {}),
    points: beyond.points,
    ...(beyond.minimal ? { minimal: beyond.minimal } : {}),
    evaluations: outcome.evaluations + beyond.evaluations,
  };
}

/** An op that broke its contract before any number was compared. */
function broken(diagnoses: Diagnosis[]): Outcome {
  return { status: 'fail', mode: 'element-wise', inputs: [], diagnoses, maxRelErr: NaN, evaluations: 0 };
}

/** The outcome with the contract's evaluations counted and its findings first: each fails the op, whatever the numbers say. */
function withBrokenContract(outcome: Outcome, { diagnoses, evaluations }: Contract): Outcome {
  const counted = { ...outcome, evaluations: outcome.evaluations + evaluations };
  return diagnoses.length === 0 ? counted : { ...counted, status: 'fail', diagnoses: [...diagnoses, ...counted.diagnoses] };
}

/** The forward-mode rules the op has: an engine's jvp, and each customOp's on its tape. */
function forwardRules({ problem, settings, inputs }: Prepared): JvpProblem[] {
  if (settings.ad === 'reverse' || settings.order === 2) return [];
  const own = engineJvp(problem, inputs);
  const custom = anyCustomJvp() ? customJvps(problem.customCalls?.() ?? []) : [];
  return [...(own ? [own] : []), ...custom];
}

/** The reverse check's outcome (if it ran) with the forward-mode rows and findings added. */
function withForwardMode(reverse: Outcome | undefined, rules: JvpProblem[], op: Op, settings: CheckSettings): Outcome {
  const base: Outcome = reverse ?? { status: 'pass', mode: 'element-wise', inputs: [], diagnoses: [], maxRelErr: 0, evaluations: 0 };
  if (rules.length === 0) return base;
  const forward = rules.map((rule) => checkJvp(rule, { opName: op.name, seed: settings.seed, tolerance: settings.tolerance, precision: settings.precision }));
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
  const calls = primitiveOps(problem);
  // A failing op built from one customOp has named its backward already: nothing more to find.
  if (calls.length === 0 || (outcome.status === 'fail' && calls.length < 2)) return outcome;
  // Fast mode first: a backward and a few forwards each, under the call's own random cotangent; a
  // failure there falls through to the element-wise check, which names the elements.
  const subOptions: CheckOptions = { ...options, tolerance: settings.tolerance, order: 1, mode: 'fast', onProgress: undefined };
  const checked = calls.map(({ op }) => ({ op, report: checkOrder(op, subOptions, '', true) }));
  const evaluations = outcome.evaluations + checked.reduce((n, { report }) => n + report.evaluations, 0);
  const guilty = checked.some(({ report }) => report.status === 'fail');
  // A passing op whose calls all pass says no more.
  if (!guilty && outcome.status === 'pass') return { ...outcome, evaluations };
  const { primitives, diagnosis } = namePrimitives(checked, outcome.status === 'pass');
  return { ...outcome, status: guilty ? 'fail' : outcome.status, primitives, diagnoses: [...outcome.diagnoses, ...(diagnosis ? [diagnosis] : [])], evaluations };
}

function errorMessage(error: unknown): string {
  if (error instanceof OpSpecError || error instanceof OpRunError) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
