// The first stage of every check (`run`, `sweep`, `--order 2`): the settings an op is checked with,
// its inputs drawn, the function under test built, evaluated once at the drawn inputs, and the
// seeded cotangent v of φ(x) = v · f(x).
import type { Op, Precision } from '../spec/define.ts';
import { drawDims, materializeInputs } from '../spec/inputs.ts';
import type { MaterializedInput } from '../spec/inputs.ts';
import { nonFinite } from './diagnose/patterns.ts';
import { hold } from './numeric/point.ts';
import type { Held } from './numeric/point.ts';
import { drawOutputCotangent } from './draws.ts';
import { createProblem, OpRunError, withDiagnoses } from './problem.ts';
import { deriveSeed } from '../spec/random.ts';
import { replayRandom } from './random-replay.ts';
import type { Replayed } from './random-replay.ts';
import { secondOrderProblem } from './second-order.ts';
import { CHECK_DEFAULTS, defaultSteps, toleranceFor } from '../model/defaults.ts';
import type { CheckMode, Method } from '../model/report.ts';
import type { CheckOptions } from '../model/options.ts';

export interface CheckSettings {
  seed: number;
  tolerance: number;
  precision: Precision;
  method: Method;
  order: 1 | 2;
  /** The steps to sweep: the run's, else the precision's default. */
  epsList: readonly number[];
  /** Whether the run named its steps (fast mode then sweeps exactly those). */
  epsGiven: boolean;
  mode: 'auto' | Extract<CheckMode, 'element-wise' | 'fast'>;
  /** Math.random replayed from the same seeded stream at every evaluation (random-replay.ts). */
  replayRandom: boolean;
  /** How far (relative) a second backward may differ from the first: the op's own, else the run's, else 0. */
  nondetTolerance: number;
  /** Which rules to check: 'auto' every rule the op has. */
  ad: 'auto' | 'forward' | 'reverse' | 'both';
  /** Where to check, when not at the drawn point: sizes of named dimensions, and values of inputs (explore/). */
  at?: At;
}

/** A point other than the drawn one: its named dimensions' sizes, and the values of the inputs it moves. */
export interface At {
  dims?: Record<string, number>;
  values?: Record<string, Float64Array>;
  /** Each input's largest gradient at the drawn point (numeric/point.ts, typicalGradient). */
  gradientScales?: Record<string, number>;
  /** A looser tolerance for this point: what the drawn point could resolve, when its verdict was inconclusive. */
  tolerance?: number;
}

/** An input as the check holds it: drawn, and held as the engine holds it (numeric/point.ts). */
export interface CheckedInput extends MaterializedInput, Held {
  readonly data: Float64Array;
}

export interface Prepared {
  settings: CheckSettings;
  inputs: CheckedInput[];
  /** The function under test, its Math.random replayed (random-replay.ts). */
  problem: Replayed;
  /** The named dimensions' sizes (empty when the op names none). */
  dims: Record<string, number>;
  /** f at the drawn inputs. */
  output: Float64Array;
  /** The same, the very array the problem returned: a forward that returns it again at other inputs is stale. */
  returned: Float64Array;
  cotangent: Float64Array;
  /** Σ|vᵢ fᵢ|: what f's rounding noise scales with. */
  outputMagnitude: number;
}

/** Never throws: the settings are known even for an op whose spec is broken (its error report carries them). */
export function settingsFor(op: Op, options: CheckOptions): CheckSettings {
  const precision = op.spec?.precision ?? 'float64';
  return {
    seed: options.seed ?? CHECK_DEFAULTS.seed,
    tolerance: toleranceFor(precision, op.spec?.tolerance, options.tolerance),
    precision,
    method: options.method ?? CHECK_DEFAULTS.method,
    order: options.order ?? CHECK_DEFAULTS.order,
    epsList: options.eps ?? defaultSteps(precision),
    epsGiven: options.eps !== undefined,
    mode: options.mode ?? CHECK_DEFAULTS.mode,
    replayRandom: options.replayRandom ?? CHECK_DEFAULTS.replayRandom,
    nondetTolerance: op.spec?.nondetTolerance ?? options.nondetTolerance ?? CHECK_DEFAULTS.nondetTolerance,
    ad: options.ad ?? CHECK_DEFAULTS.ad,
  };
}

export function prepare(op: Op, settings: CheckSettings): Prepared {
  const float32 = settings.precision === 'float32';
  const dims = drawDims(op, settings.seed, settings.at?.dims);
  const drawn = materializeInputs(op, settings.seed, dims, settings.at?.values);
  const inputs: CheckedInput[] = drawn.map((input) => {
    const typicalGradient = settings.at?.gradientScales?.[input.name];
    return { ...input, ...hold(input.data, { float32, domain: input.domain }), ...(typicalGradient ? { typicalGradient } : {}) };
  });
  const built = settings.order === 2 ? secondOrderProblem(op, inputs, settings.seed) : createProblem(op, inputs, dims);
  const problem = replayRandom(built, deriveSeed(settings.seed, `${op.name}/random`), !settings.replayRandom);
  const returned = problem.evaluate();
  const output = Float64Array.from(returned);
  const what = settings.order === 2 ? 'the first-order gradient' : 'the forward output';
  const badOutput = nonFinite(output, what, undefined);
  if (badOutput) {
    throw withDiagnoses(new OpRunError(`${settings.order === 2 ? 'the first-order gradient' : 'forward output'} is not finite at the drawn inputs: ${badOutput.message}`), [badOutput]);
  }
  const cotangent = drawOutputCotangent(settings.seed, op.name, output.length, problem.outputs?.());
  let outputMagnitude = 0;
  for (let i = 0; i < output.length; i++) outputMagnitude += Math.abs(cotangent[i] * output[i]);
  return { settings, inputs, dims, problem, output, returned, cotangent, outputMagnitude };
}
