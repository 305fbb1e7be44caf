// Reading the directional ε sweep: which step to trust, and which step has settled. Pure functions
// of the sweep's points.
import { relativeError } from './error.ts';

/** What these functions read of a sweep point (see DirectionalComparison). */
export interface StepPoint {
  eps: number;
  relErr: number;
  /** f's rounding noise relative to the analytic change at this step. */
  noise: number;
  numeric: number;
  residual: number;
}

/**
 * Steps from best to worst by directional error, counting a step's own rounding noise as error:
 * at tiny steps the noise can make a wrong gradient look right by luck, so such a step never wins.
 * When every step is pure noise (a gradient of exactly zero), the largest step is the most trustworthy.
 */
export function rankSteps(points: readonly Pick<StepPoint, 'eps' | 'relErr' | 'noise'>[]): number[] {
  const score = (p: { relErr: number; noise: number }) => p.relErr + p.noise;
  return [...points].sort((a, b) => score(a) - score(b) || b.eps - a.eps).map((p) => p.eps);
}

/** The steps next to `eps` in the sweep: the smaller one first, then the larger. */
export function neighbours(epsList: readonly number[], eps: number): number[] {
  const sorted = [...epsList].sort((a, b) => b - a);
  const at = sorted.indexOf(eps);
  return [sorted[at + 1], sorted[at - 1]].filter((e): e is number => e !== undefined);
}

/**
 * The next smaller step than `eps`, when its directional error is above the tolerance although its
 * estimate has settled (it agrees with the step after it to a tenth of that error) and its rounding
 * noise is a tenth of that error or less: then the error there is the gradient's, not the step's.
 */
export function settledDisagreement(points: readonly StepPoint[], eps: number, tolerance: number): number | undefined {
  const sorted = [...points].sort((a, b) => b.eps - a.eps);
  const at = sorted.findIndex((p) => p.eps === eps);
  const next = sorted[at + 1];
  const after = sorted[at + 2];
  if (at < 0 || next === undefined || after === undefined || !(next.relErr > tolerance)) return undefined;
  const steady = relativeError(next.numeric, after.numeric) <= next.relErr / 10;
  return steady && next.noise * 10 <= next.relErr ? next.eps : undefined;
}

/**
 * The step where the directional numeric estimate changes least from the next smaller step, with
 * the smaller step's rounding noise counted against it (two noisy values can agree by chance).
 */
export function steadiestStep(points: readonly StepPoint[]): number | undefined {
  const usable = points.filter((p) => p.numeric !== 0 && Number.isFinite(p.numeric)).sort((a, b) => b.eps - a.eps);
  let steadiest: number | undefined;
  let smallest = Infinity;
  for (let i = 0; i + 1 < usable.length; i++) {
    const change = relativeError(usable[i].numeric, usable[i + 1].numeric) + (Number.isFinite(usable[i + 1].noise) ? usable[i + 1].noise : Infinity);
    if (change < smallest) {
      smallest = change;
      steadiest = usable[i].eps;
    }
  }
  return steadiest;
}
