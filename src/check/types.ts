// The result objects a check computes. Reporters only print these; `run --json` serialises them.

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
  /** Largest element-wise relative error at the best step (see `relativeErrors` for the guard). */
  relErr: number;
  bestEps: number;
  worst: WorstElement;
  sweep: SweepPoint[];
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
  /** How the numeric side was computed. */
  mode: 'element-wise';
  /** Forward evaluations the numeric side made. */
  evaluations: number;
  line?: number;
  error?: string;
  /** The stack behind `error`, printed only with --verbose and left out of JSON otherwise. */
  stack?: string;
  diagnoses: Diagnosis[];
  inputs: InputReport[];
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

export const DEFAULT_TOLERANCE = 1e-7;
export const DEFAULT_SEED = 0;
export const DEFAULT_EPS: readonly number[] = Array.from({ length: 12 }, (_, i) => Number(`1e-${i + 1}`));
