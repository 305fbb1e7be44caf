// Every default a check applies, in one table: the checker reads it (check/prepare.ts's settingsFor),
// and the CLI's help prints it, so what the help says is what an absent flag does.
import type { Precision } from '../spec/define.ts';
import type { CheckMode, Method } from './report.ts';

export const METHODS: readonly Method[] = ['central', 'five-point', 'richardson'];
export const MODES = ['auto', 'element-wise', 'fast'] as const satisfies readonly ('auto' | CheckMode)[];
export const AD_MODES = ['forward', 'reverse', 'both'] as const;
/** The reporters `--reporter` and the config's `reporters` name (report/reporters.ts has them). */
export const REPORTERS = ['table', 'json', 'junit', 'github', 'markdown', 'html'] as const;
export type ReporterName = (typeof REPORTERS)[number];

export const DEFAULT_TOLERANCE = 1e-7;
export const DEFAULT_SEED = 0;
export const DEFAULT_EPS: readonly number[] = Array.from({ length: 12 }, (_, i) => Number(`1e-${i + 1}`));

/**
 * float32 ops (tfjs, engines on Float32Array). Every output carries rounding of up to 2⁻²⁴ of its
 * size (FLOAT32_EPSILON = 2⁻²³ ≈ 1.2e-7), so element by element a centered difference is noise-bound
 * near 1e-3. Along random directions (check/modes/float32.ts) the difference sums every element's
 * contribution while its rounding, about FLOAT32_EPSILON · ‖v ∘ f‖₂ per evaluation, does not grow
 * with them, and Richardson extrapolation over large steps t (from 0.25 down, the steps as the
 * engine took them) cancels the truncation: the error reachable is about
 * FLOAT32_EPSILON · ‖v ∘ f‖₂ / (t · ‖g ∘ d‖₂), 1e-6 to 1e-5 for most ops. Measured on 103 correct
 * tfjs ops at 20 seeds each: at most 3.5e-5. The tolerance, 1e-4, leaves a factor three above that;
 * an op whose own noise reaches it is inconclusive rather than failed, because a failure must also
 * exceed the estimate's own error bound. A gradient 0.1% off reads 1e-3 and more.
 */
export const FLOAT32_EPSILON = 2 ** -23;
export const FLOAT32_TOLERANCE = 1e-4;
export const FLOAT32_EPS: readonly number[] = [1e-1, 1e-2, 1e-3, 1e-4];

/** Points `--explore` checks beyond the drawn one when not told how many. */
export const DEFAULT_EXPLORE_POINTS = 24;

/** What an absent option means. */
export const CHECK_DEFAULTS = {
  tolerance: DEFAULT_TOLERANCE,
  seed: DEFAULT_SEED,
  eps: DEFAULT_EPS,
  method: 'central',
  order: 1,
  mode: 'auto',
  /** Every rule the op has: its vjp, and its jvp where it has one. */
  ad: 'auto',
  replayRandom: true,
  nondetTolerance: 0,
} as const;

/** The tolerance an op is held to: its own, else the run's, and never below its precision's noise floor. */
export function toleranceFor(precision: Precision | undefined, own: number | undefined, run: number | undefined): number {
  if (own !== undefined) return own;
  const chosen = run ?? DEFAULT_TOLERANCE;
  return precision === 'float32' ? Math.max(chosen, FLOAT32_TOLERANCE) : chosen;
}

/** The steps an op is swept over when the run names none. */
export function defaultSteps(precision: Precision | undefined): readonly number[] {
  return precision === 'float32' ? FLOAT32_EPS : DEFAULT_EPS;
}
