// The result objects a check computes. Reporters only print these; `run --json` serialises them.
import type { Precision } from '../op/define.ts';

export type Status = 'pass' | 'fail' | 'error';

export interface SweepPoint {
  eps: number;
  /** Relative error of the directional derivative along a seeded random direction at this step. */
  relErr: number;
}

export interface WorstElement {
  /** Position in the input, one index per axis. */
  index: number[];
  analytic: number;
  numeric: number;
}

export interface InputReport {
  name: string;
  shape: number[];
  passed: boolean;
  /** A constant input (grad: false or integer: true): never perturbed, no gradient compared. */
  constant?: true;
  /** 'forward': this row checks a forward-mode rule (jvp), printed as 'JVP of …'; reverse rows have none. */
  ad?: 'forward';
  /** Largest element-wise relative error at the best step (see `relativeErrors` for the guard). */
  relErr: number;
  bestEps: number;
  worst: WorstElement;
  sweep: SweepPoint[];
  /** Set when the difference is within the numeric estimate's own error: neither proven right nor wrong. */
  verdict?: 'inconclusive';
  /**
   * How the directional difference's error fell with the step (measured for an input that needed a
   * closer look): order 2 for a correct gradient, about 0 for a wrong one.
   */
  convergence?: { order: number; fromEps: number; toEps: number };
  /**
   * A float32 input's comparisons along random directions (which decide its verdict): the relative
   * error, the estimate's own uncertainty, and the smallest step used.
   */
  directions?: { relErr: number; uncertainty: number; step: number }[];
  /**
   * Failing elements whose numeric value was refined one by one (Ridders' method over steps from
   * 1e-1 down): the values shown for them are the refined ones.
   */
  refined?: number;
}

export interface Diagnosis {
  code: string;
  message: string;
  input?: string;
}

export interface OpReport {
  file: string;
  name: string;
  status: Status;
  /** Time of the check itself, loading excluded. */
  elapsedMs: number;
  maxRelErr: number;
  tolerance: number;
  /** What the op computes in: a float32 op is held to the float32 tolerance unless it sets its own. */
  precision: Precision;
  /**
   * How the numeric side was computed: every element, uᵀJv for a few random pairs ('fast'), or fast
   * first and element-wise after a pair failed.
   */
  mode: CheckMode;
  /** 1: the gradient; 2: the gradient of the gradient (--order 2). */
  order?: 1 | 2;
  method?: Method;
  /**
   * Set when an input's difference lay within the numeric estimate's own error: not shown wrong,
   * not proven right to the tolerance. Status stays 'pass' (exit 0); a diagnosis says how far it could see.
   */
  verdict?: 'inconclusive';
  /** Forward evaluations the numeric side made. */
  evaluations: number;
  line?: number;
  error?: string;
  /** The stack behind `error`, printed only with --verbose and left out of JSON otherwise. */
  stack?: string;
  diagnoses: Diagnosis[];
  inputs: InputReport[];
  /** For a failing op built from customOps: each call checked alone (the guilty ones named in a 'culprit' diagnosis). */
  primitives?: PrimitiveReport[];
}

/** A customOp call checked alone at the inputs it saw (when the op it is part of failed). */
export interface PrimitiveReport {
  /** customOp 'name'. */
  name: string;
  /** Where it was called in the user's code. */
  file?: string;
  line?: number;
  status: Status;
  maxRelErr: number;
  inputs: { name: string; passed: boolean; relErr: number }[];
  diagnoses: Diagnosis[];
  error?: string;
}

export interface RunReport {
  passed: boolean;
  tolerance: number;
  seed: number;
  ops: OpReport[];
}

export interface CheckOptions {
  /** Largest relative error that passes (default 1e-7). */
  tolerance?: number;
  /** Steps to sweep, largest first (default 1e-1 … 1e-12). */
  eps?: number[];
  /** Seed for inputs, cotangents and directions (default 0). */
  seed?: number;
  /** Finite-difference formula (default 'central'). */
  method?: Method;
  /** 2 checks the gradient of the gradient (default 1). */
  order?: 1 | 2;
  /** 'auto' (default): element-wise while cheap, fast beyond. */
  mode?: 'auto' | 'element-wise' | 'fast';
  /** Which rules to check: 'forward' (jvp), 'reverse' (vjp) or 'both'; default every rule the op has. */
  ad?: 'forward' | 'reverse' | 'both';
  /** A second backward may differ from the first by this much (relative) without failing the op. */
  nondetTolerance?: number;
  /**
   * Math.random replayed from one seeded stream at every evaluation, so that a forward drawing a
   * dropout mask is one function (default true; the CLI's --no-replay-random turns it off).
   */
  replayRandom?: boolean;
  /**
   * `gradcheck sweep` only: keep, at every step, the worst element with its two values and every
   * element's error (what the HTML report's ε control shows; the CLI sets it for --html).
   */
  stepDetail?: boolean;
  /**
   * Threads the element-wise check may use, the calling one included, at most one per core. By
   * default one per core, for an op of at least 2048 input elements whose check is estimated to take
   * 0.5 s or more on one thread; given (here, or for the CLI in the GRADCHECK_THREADS environment
   * variable), for every op of at least 2048 input elements; 1 keeps every check on the calling
   * thread. The report is the same whatever the number.
   */
  threads?: number;
  /** Called as the numeric side advances, for progress displays; must not throw. */
  onProgress?: (progress: CheckProgress) => void;
}

export interface CheckProgress {
  /** The op being checked. */
  op: string;
  /** Input elements whose numeric gradient is done, of `total`. */
  done: number;
  total: number;
}

export type Method = 'central' | 'five-point' | 'richardson';
export type CheckMode = 'element-wise' | 'fast' | 'fast-then-element-wise' | 'fast-then-directional' | 'float32-directional';

export const DEFAULT_TOLERANCE = 1e-7;

/**
 * float32 ops (tfjs, engines on Float32Array). Every output carries rounding of up to 2⁻²⁴ of its
 * size (FLOAT32_EPSILON = 2⁻²³ ≈ 1.2e-7), so element by element a centered difference is noise-bound
 * near 1e-3. Along random directions (float32.ts) the difference sums every element's contribution
 * while its rounding, about FLOAT32_EPSILON · ‖v ∘ f‖₂ per evaluation, does not grow with them, and
 * Richardson extrapolation over large steps t (from 0.25 down, the steps as the engine took them)
 * cancels the truncation: the error reachable is about FLOAT32_EPSILON · ‖v ∘ f‖₂ / (t · ‖g ∘ d‖₂),
 * 1e-6 to 1e-5 for most ops. Measured on 103 correct tfjs ops at 20 seeds each: at most 3.5e-5.
 * The tolerance, 1e-4, leaves a factor three above that; an op whose own noise reaches it is
 * inconclusive rather than failed, because a failure must also exceed the estimate's own error
 * bound. A gradient 0.1% off reads 1e-3 and more.
 */
export const FLOAT32_EPSILON = 2 ** -23;
export const FLOAT32_TOLERANCE = 1e-4;
export const FLOAT32_EPS: readonly number[] = [1e-1, 1e-2, 1e-3, 1e-4];

/** The tolerance an op is held to: its own, else the run's, and never below its precision's noise floor. */
export function toleranceFor(precision: Precision | undefined, own: number | undefined, run: number | undefined): number {
  if (own !== undefined) return own;
  const chosen = run ?? DEFAULT_TOLERANCE;
  return precision === 'float32' ? Math.max(chosen, FLOAT32_TOLERANCE) : chosen;
}
export const DEFAULT_SEED = 0;
export const DEFAULT_EPS: readonly number[] = Array.from({ length: 12 }, (_, i) => Number(`1e-${i + 1}`));
