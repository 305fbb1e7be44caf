// The element-wise numeric gradient of one input at a step and method, compared with the analytic
// one. Each (step, method) is computed once per input and kept: the stages that choose a step, guard
// a pass and explain a failure all ask for the same few estimates.
import { compareGradients, comparisonFloor, numericNoise } from '../numeric/error.ts';
import { NOISE_FACTOR, numericGradient } from '../numeric/differences.ts';
import type { NumericGradient } from '../numeric/differences.ts';
import type { Phi } from '../phi.ts';
import type { Held } from '../numeric/point.ts';
import type { Method } from '../../model/report.ts';
import { largestMagnitude } from '../numeric/vectors.ts';

export interface ElementEstimate {
  eps: number;
  by: Method;
  numeric: Float64Array;
  /** Per element, the method's own truncation estimate (Richardson only; NaN otherwise). */
  truncation: Float64Array;
  /** The comparison floor (see compare.ts). */
  floor: number;
  /** Rounding noise of the estimate: values both within it count as zero. */
  noise: number;
  relErr: number;
  worstIndex: number;
}

export interface Estimator {
  at(eps: number, by?: Method): ElementEstimate;
  /** Every estimate computed so far. */
  computed(): ElementEstimate[];
}

/**
 * Every element's derivative of φ along x at one step: numericGradient on this thread, or the same
 * differences split over helper threads (threads/split.ts), value for value the same.
 */
export type ElementDifferences = (phi: Phi, x: Held, eps: number, method: Method) => NumericGradient;

export interface EstimatorInput {
  phi: Phi;
  x: Held;
  analytic: Float64Array;
  /** Σ|vᵢ fᵢ|: what f's rounding noise scales with. */
  outputMagnitude: number;
  method: Method;
  /** How the element-wise differences are computed (default: numericGradient, on this thread). */
  differences?: ElementDifferences;
}

export function createEstimator({ phi, x, analytic, outputMagnitude, method, differences = numericGradient }: EstimatorInput): Estimator {
  const computed = new Map<string, ElementEstimate>();
  const estimate = (eps: number, by: Method): ElementEstimate => {
    const { values: numeric, truncation } = differences(phi, x, eps, by);
    const floor = comparisonFloor(Math.max(largestMagnitude(analytic, numeric), x.typicalGradient ?? 0));
    const noise = NOISE_FACTOR[by] * numericNoise(outputMagnitude, eps);
    return { eps, by, numeric, truncation, floor, noise, ...compareGradients(analytic, numeric, floor, noise) };
  };
  return {
    at(eps, by = method) {
      const key = `${by} ${eps}`;
      if (!computed.has(key)) computed.set(key, estimate(eps, by));
      return computed.get(key)!;
    },
    computed: () => [...computed.values()],
  };
}
