// The result objects a check computes. Reporters only print these; `run --json` serialises them.
import type { Precision } from '../spec/define.ts';

/**
 * What an op means for the run: 'pass' and 'skipped' leave it green, 'fail' exits 1, 'error' exits 2.
 * An op marked `expect: 'fail'` has the status its expectation gives (see OpReport.outcome).
 */
export type Status = 'pass' | 'fail' | 'error' | 'skipped';

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
  convergence?: Convergence;
  /**
   * A float32 input's comparisons along random directions (which decide its verdict): the relative
   * error, the estimate's own uncertainty, and the smallest step used.
   */
  directions?: { relErr: number; uncertainty: number; step: number }[];
  /** Decided by the op's joint comparison (fast mode): the numbers are the op's `joint`, which spans every input. */
  joint?: true;
  /** Elements confirmed wrong one by one, worst first (at most 64; element-wise checks only). */
  failing?: number[][];
  /** Elements over the tolerance at the sweep's steps that were not confirmed: refining could not tell, or stopped once enough were (at most 64). */
  undecided?: number[][];
  /**
   * Failing elements whose numeric value was refined one by one (Ridders' method over steps from
   * 1e-1 down): the values shown for them are the refined ones.
   */
  refined?: number;
}

/** Fast mode's one comparison: uᵀJv along random directions that span every input at once. */
export interface JointComparison {
  passed: boolean;
  /** The largest relative error over the directions, each at its best step. */
  relErr: number;
  /** The first direction's best step. */
  bestEps: number;
  /** The first direction's error at each step it tried. */
  sweep: SweepPoint[];
  /** uᵀJv from the backward and from the finite differences, where the error was largest. */
  analytic: number;
  numeric: number;
}

export interface Diagnosis {
  code: string;
  message: string;
  input?: string;
  /** An op with several outputs: the one whose gradient path it concerns. */
  output?: string;
  /** What the diagnosis found, as data: tools and other diagnoses read this, never the message. */
  detail?: DiagnosisDetail;
}

export interface DiagnosisDetail {
  /** One constant ratio analytic/numeric (a gradient scaled, a sign flipped: −1, contributions overwritten: 1/k). */
  ratio?: number;
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
  /** Fast mode's one comparison over every input at once, when the op was decided by it. */
  joint?: JointComparison;
  /** The sizes of the op's named dimensions at the point checked. */
  dims?: Record<string, number>;
  /** An op with several outputs: each checked on its own, the others receiving no gradient. */
  outputs?: OutputReport[];
  /** The points checked beyond the drawn one, in order (the check stops at the first that fails). */
  points?: PointReport[];
  /** Under --explore, a failing point shrunk to the smallest sizes and simplest values that still fail. */
  minimal?: MinimalCase;
  /** For a failing op built from customOps: each call checked alone (the guilty ones named in a 'culprit' diagnosis). */
  primitives?: PrimitiveReport[];
  /** Status 'skipped': why the op was not checked (its `skip`, or the config's). */
  skip?: string;
  /**
   * The op was expected to fail (`expect: 'fail'`, as vitest's it.fails): `outcome` is what the check
   * found, and `status` what that means for the run: a failure expected is a pass, a pass is a failure.
   */
  expect?: 'fail';
  outcome?: Status;
}

/** A point beyond the drawn one, and what the check found there. */
export interface PointReport {
  /** 1, 2, …, in the order they were checked. */
  index: number;
  /** How the point was drawn, as the report says it: 'wider (normal, σ 3)', 'magnitude 1000', … */
  drawn: string;
  /** Its named dimensions' sizes, where the op names any. */
  dims?: Record<string, number>;
  /** 'skipped': the forward is not finite there; 'unstable': the backward is not finite where the forward is. */
  status: 'pass' | 'fail' | 'inconclusive' | 'skipped' | 'unstable' | 'error';
  /** At a failing point: what singles out its failing elements ("where x < -2: the 3 elements below -2", "on every element of 'x'"). */
  where?: string;
  /** At a failing point: its rows and findings, from the element-wise check there. */
  inputs?: InputReport[];
  diagnoses?: Diagnosis[];
  /** At a failing point: the values of the inputs it moved, to check it again. */
  values?: Record<string, number[]>;
  error?: string;
}

/**
 * One output of an op with several, checked on its own: the backward's gradient with only this
 * output receiving one (the others none), against finite differences of this output alone, along
 * random directions spanning every input.
 */
export interface OutputReport {
  /** The record's key, or the array's index. */
  name: string;
  shape: number[];
  passed: boolean;
  /** uᵀJv's relative error for this output; NaN where its backward could not run. */
  relErr: number;
}

/** The smallest failing case found by shrinking: sizes, and each moved input as an input spec. */
export interface MinimalCase {
  dims: Record<string, number>;
  inputs: Record<string, { shape: number[]; values: number[] }>;
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

export type Method = 'central' | 'five-point' | 'richardson';
export type CheckMode = 'element-wise' | 'fast' | 'fast-then-element-wise' | 'fast-then-directional' | 'float32-directional';


/** How the finite-difference error fell with the step: an ε-free second opinion on a gradient. */
export interface Convergence {
  /** The error falls as ε^order: 2 for a correct gradient (centered differences), about 0 for a wrong one. */
  order: number;
  /** The steps it was measured between, largest first. */
  fromEps: number;
  toEps: number;
}

/** A contiguous run of steps around the U-curve's minimum whose error stays within the tolerance. */
export interface ToleranceBand {
  largestEps: number;
  smallestEps: number;
}

// --- gradcheck sweep -------------------------------------------------------------------------

/** One step of the sweep; with `stepDetail`, what was measured there element by element. */
export interface SweepStep extends SweepPoint {
  /** The element whose error is this step's relErr, with its analytic and numeric values at this step. */
  worst?: WorstElement;
  /** Every element's relative error at this step, row-major. */
  errors?: number[];
}

export interface InputSweep {
  name: string;
  shape: number[];
  /** Within the tolerance at the best step. */
  passed: boolean;
  /** Largest element-wise relative error at each step, in the order of the sweep. */
  sweep: SweepStep[];
  /** The bottom of the U-curve (on a tie, the larger step: it is further from rounding noise). */
  minimum: SweepPoint;
  /** Absent when no step gets within the tolerance. */
  band?: ToleranceBand;
  /** The step to use for this input: the minimum's. */
  recommendedEps: number;
  /** How the error falls with the step on the truncation side: ε² for a correct gradient, flat for a wrong one. */
  convergence?: Convergence;
  /**
   * 'direction' for an input above SWEEP_ELEMENT_WISE_LIMIT elements: the error along one seeded
   * random direction at each step (two evaluations per step, as the checker's own sweep), not the
   * largest element-wise error (2·N evaluations per step).
   */
  measured?: 'direction';
}

export interface OpSweep {
  file: string;
  name: string;
  status: Status;
  elapsedMs: number;
  tolerance: number;
  /** Forward evaluations made. */
  evaluations: number;
  line?: number;
  error?: string;
  stack?: string;
  /** Status 'skipped': why the op was not swept. */
  skip?: string;
  inputs: InputSweep[];
}

export interface SweepReport {
  passed: boolean;
  tolerance: number;
  seed: number;
  ops: OpSweep[];
}

