// Reading a sweep's U-curve: its minimum and the band of steps around it within the tolerance.
// Pure functions of the sweep points, shared by the sweep and its reporters (which need no checker).
import type { SweepPoint, ToleranceBand } from './report.ts';

export function findMinimum(sweep: SweepPoint[]): SweepPoint {
  let best = sweep[0];
  for (const point of sweep) {
    if (point.relErr < best.relErr || (point.relErr === best.relErr && point.eps > best.eps)) best = point;
  }
  return best;
}

/** The steps next to the minimum, in both directions, that stay within the tolerance. */
export function toleranceBand(sweep: SweepPoint[], minimum: SweepPoint, tolerance: number): ToleranceBand | undefined {
  if (!(minimum.relErr <= tolerance)) return undefined;
  const byStep = [...sweep].sort((a, b) => b.eps - a.eps);
  let first = byStep.indexOf(minimum);
  let last = first;
  while (first > 0 && byStep[first - 1].relErr <= tolerance) first--;
  while (last < byStep.length - 1 && byStep[last + 1].relErr <= tolerance) last++;
  return { largestEps: byStep[first].eps, smallestEps: byStep[last].eps };
}
