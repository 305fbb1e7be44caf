// What the HTML report's ε control shows at a step beyond the step's largest relative error: the
// worst element's two values and every element's error. `gradcheck sweep --html` fills them at
// every step (check/sweep.ts, `stepDetail`); a report without them (a run's directional curve, an
// input swept along a direction) still scrubs the curve and shows ε and the step's relErr.
import type { InputReport, SweepPoint, WorstElement } from '../model/report.ts';
import type { InputSweep } from '../model/report.ts';

/**
 * Up to this many elements an input's errors are given (and drawn) element by element; beyond, as a
 * histogram, which keeps a page of twelve steps small whatever the input's size (a 64×64 input,
 * 4096 elements, is still drawn cell by cell).
 */
export const STEP_ELEMENTS_LIMIT = 4096;

/** How many elements fall in each decade of relative error. */
export interface ErrorHistogram {
  /** log10 of the lower edge of the first bin: counts[i] holds the errors in [10^(fromDecade+i), 10^(fromDecade+i+1)). */
  fromDecade: number;
  counts: number[];
  /** Elements whose relative error is exactly 0 (no bin holds them). */
  zeros: number;
  /** Elements whose relative error is NaN or infinite (no bin holds them). */
  nonFinite: number;
}

/** The element-wise errors at one step: every element's, or their histogram for a large input. */
export interface ElementErrors {
  /**
   * Every element's relative error at this step, in the input's row-major order (length = the
   * input's size); only for inputs of at most STEP_ELEMENTS_LIMIT elements.
   */
  errors?: number[];
  /** For an input of more than STEP_ELEMENTS_LIMIT elements, in place of `errors`. */
  histogram?: ErrorHistogram;
}

/**
 * One step of an element-wise sweep (InputSweep.sweep, not `measured: 'direction'`) with what was
 * measured there. `relErr` stays the largest element-wise error, the error of `worst`.
 */
export interface SweepStepDetail extends ElementErrors {
  /** The element whose error is this step's relErr, with the analytic and numeric values at this step. */
  worst?: WorstElement;
}

export type DetailedSweepPoint = SweepPoint & SweepStepDetail;

/** `gradcheck sweep`'s input as the page reads it. */
export type DetailedInputSweep = Omit<InputSweep, 'sweep'> & { sweep: DetailedSweepPoint[] };

/**
 * `gradcheck run`'s input as the page reads it: its `sweep` is directional (one number per step),
 * and the element-wise errors are those of the check at `bestEps`, where `worst` was found.
 */
export type DetailedInputReport = InputReport & ElementErrors;
