// Non-differentiable points, found from finite differences alone (never from op names).
//
// At a kink the one-sided slopes (f(x + h) − f(x)) / h and (f(x) − f(x − h)) / h disagree by the
// jump in slope, and keep disagreeing as h shrinks; at a smooth point they differ by about h·f'',
// which shrinks tenfold with h. Only failing elements are probed: six evaluations each.
import { oneSidedDifferences } from '../numeric/differences.ts';
import type { Held } from '../numeric/point.ts';

export interface KinkProbe {
  /** Elements on a kink whose analytic value lies between the one-sided slopes: a valid subgradient. */
  subgradients: { index: number; left: number; right: number; analytic: number }[];
  /** Elements on a kink whose analytic value lies outside the one-sided slopes. */
  invalid: { index: number; left: number; right: number; analytic: number }[];
}

export interface KinkProbeInput {
  phi: () => number;
  x: Held;
  analytic: Float64Array;
  /** Failing elements, worst first. */
  failing: number[];
  eps: number;
  floor: number;
  tolerance: number;
  /** Rounding noise of one evaluation of phi. */
  noiseOfPhi: number;
  /** Probe every element given, rather than giving up after a few that are no kink. */
  probeAll?: boolean;
}

/** Probing stops after this many elements when none of them is a kink: the gradient is simply wrong. */
const PROBE_BEFORE_GIVING_UP = 16;

export function probeKinks({ phi, x, analytic, failing, eps, floor, tolerance, noiseOfPhi, probeAll = false }: KinkProbeInput): KinkProbe {
  const result: KinkProbe = { subgradients: [], invalid: [] };
  const fAtX = phi();
  for (let n = 0; n < failing.length; n++) {
    if (!probeAll && n >= PROBE_BEFORE_GIVING_UP && result.subgradients.length + result.invalid.length === 0) break;
    const i = failing[n];
    const h = eps * x.scales[i];
    const slopes = [h, h / 10, h / 100].map((step) => ({ step, ...oneSidedDifferences(phi, x, i, step, fAtX) }));
    const jumps = slopes.map((s) => Math.abs(s.right - s.left));
    const narrow = slopes[2];
    const scale = Math.max(Math.abs(narrow.left), Math.abs(narrow.right), Math.abs(analytic[i]), floor);
    const noise = (8 * noiseOfPhi) / narrow.step;
    // A kink's jump in slope stays the same over two decades of steps; a smooth curve's shrinks
    // with the step (as h·f''), however steep it is, once the step is small enough.
    const persists = jumps.every((jump) => jump >= 0.5 * jumps[2] && jump <= 2 * jumps[2]);
    if (!(persists && jumps[2] > Math.max(100 * tolerance * scale, noise))) continue;
    const low = Math.min(narrow.left, narrow.right);
    const high = Math.max(narrow.left, narrow.right);
    const slack = 10 * tolerance * scale + noise;
    const a = analytic[i];
    const entry = { index: i, left: narrow.left, right: narrow.right, analytic: a };
    if (a >= low - slack && a <= high + slack) result.subgradients.push(entry);
    else result.invalid.push(entry);
  }
  return result;
}
