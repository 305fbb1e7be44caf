// The first stage of every check (`run`, `sweep`, `--order 2`): the settings an op is checked with,
// its inputs drawn, the function under test built, evaluated once at the drawn inputs, and the
// seeded cotangent v of φ(x) = v · f(x).
import type { Op, Precision } from '../op/define.ts';
import { materializeInputs } from '../op/inputs.ts';
import type { MaterializedInput } from '../op/inputs.ts';
import { nonFinite } from './diagnose/patterns.ts';
import { holdAsFloat32 } from './float32-inputs.ts';
import { holdDomain } from './scales.ts';
import { DRAW, drawCotangent } from './draws.ts';
import { createProblem, OpRunError, withDiagnoses } from './problem.ts';
import type { Problem } from './problem.ts';
import { deriveSeed } from '../op/random.ts';
import { replayRandom } from './random-replay.ts';
import { secondOrderProblem } from './second-order.ts';
import { DEFAULT_EPS, DEFAULT_SEED, FLOAT32_EPS, toleranceFor } from './types.ts';
import type { CheckMode, CheckOptions, Method } from './types.ts';

export interface Settings {
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
}

export interface Prepared {
  settings: Settings;
  inputs: MaterializedInput[];
  problem: Problem;
  /** f at the drawn inputs. */
  output: Float64Array;
  cotangent: Float64Array;
  /** Σ|vᵢ fᵢ|: what f's rounding noise scales with. */
  outputMagnitude: number;
}

/** Never throws: the settings are known even for an op whose spec is broken (its error report carries them). */
export function settingsFor(op: Op, options: CheckOptions): Settings {
  const precision = op.spec?.precision ?? 'float64';
  return {
    seed: options.seed ?? DEFAULT_SEED,
    tolerance: toleranceFor(precision, op.spec?.tolerance, options.tolerance),
    precision,
    method: options.method ?? 'central',
    order: options.order ?? 1,
    epsList: options.eps ?? (precision === 'float32' ? FLOAT32_EPS : DEFAULT_EPS),
    epsGiven: options.eps !== undefined,
    mode: options.mode ?? 'auto',
    replayRandom: options.replayRandom ?? true,
    nondetTolerance: op.spec?.nondetTolerance ?? options.nondetTolerance ?? 0,
    ad: options.ad ?? 'auto',
  };
}

export function prepare(op: Op, settings: Settings): Prepared {
  const inputs = materializeInputs(op, settings.seed);
  if (settings.precision === 'float32') for (const input of inputs) holdAsFloat32(input.data);
  for (const input of inputs) if (input.domain) holdDomain(input.data, input.domain);
  const built = settings.order === 2 ? secondOrderProblem(op, inputs, settings.seed) : createProblem(op, inputs);
  const problem = replayRandom(built, deriveSeed(settings.seed, `${op.name}/random`), !settings.replayRandom);
  const output = Float64Array.from(problem.evaluate());
  const what = settings.order === 2 ? 'the first-order gradient' : 'the forward output';
  const badOutput = nonFinite(output, what, undefined);
  if (badOutput) {
    throw withDiagnoses(new OpRunError(`${settings.order === 2 ? 'the first-order gradient' : 'forward output'} is not finite at the drawn inputs: ${badOutput.message}`), [badOutput]);
  }
  const cotangent = drawCotangent(settings.seed, DRAW.cotangent(op.name), output.length);
  let outputMagnitude = 0;
  for (let i = 0; i < output.length; i++) outputMagnitude += Math.abs(cotangent[i] * output[i]);
  return { settings, inputs, problem, output, cotangent, outputMagnitude };
}
