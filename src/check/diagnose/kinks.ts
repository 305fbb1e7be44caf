// Non-differentiable points, found from finite differences alone (never from op names).
//
// At a kink the one-sided slopes (f(x + h) − f(x)) / h and (f(x) − f(x − h)) / h disagree by the
// jump in slope, and keep disagreeing as h shrinks; at a smooth point they differ by about h·f'',
// which shrinks tenfold with h. Only failing elements are probed: four evaluations each.
import { oneSidedDifferences } from '../finite-difference.ts';

export interface KinkProbe {
  /** Elements on a kink whose analytic value lies between the one-sided slopes: a valid subgradient. */
  subgradients: { index: number; left: number; right: number; analytic: number }[];
  /** Elements on a kink whose analytic value lies outside the one-sided slopes. */
  invalid: { index: number; left: number; right: number; analytic: number }[];
  /** Elements that only sat within the step of a kink: a smaller step agrees with the analytic value. */
  nearKink: number[];
  /**
   * Smooth elements whose slope changes fast (the one-sided slopes' gap shrinks tenfold with the
   * step, as h·f'' does): a smaller step agrees with the analytic value. No kink; nothing to report.
   */
  agreeAtSmallerStep: number[];
}

export interface KinkProbeInput {
  phi: () => number;
  x: Float64Array;
  analytic: Float64Array;
  /** Failing elements, worst first. */
  failing: number[];
  eps: number;
  floor: number;
  tolerance: number;
  /** Rounding noise of one evaluation of phi. */
  noiseOfPhi: number;
}

/** Probing stops after this many elements when none of them is a kink: the gradient is simply wrong. */
const PROBE_BEFORE_GIVING_UP = 16;

export function probeKinks({ phi, x, analytic, failing, eps, floor, tolerance, noiseOfPhi }: KinkProbeInput): KinkProbe {
  const result: KinkProbe = { subgradients: [], invalid: [], nearKink: [], agreeAtSmallerStep: [] };
  const fAtX = phi();
  for (let n = 0; n < failing.length; n++) {
    const found = result.subgradients.length + result.invalid.length + result.nearKink.length + result.agreeAtSmallerStep.length;
    if (n >= PROBE_BEFORE_GIVING_UP && found === 0) break;
    const i = failing[n];
    const h = eps * Math.max(Math.abs(x[i]), 1);
    const wide = oneSidedDifferences(phi, x, i, h, fAtX);
    const narrow = oneSidedDifferences(phi, x, i, h / 10, fAtX);
    const scale = Math.max(Math.abs(narrow.left), Math.abs(narrow.right), Math.abs(analytic[i]), floor);
    const wideJump = Math.abs(wide.right - wide.left);
    const narrowJump = Math.abs(narrow.right - narrow.left);
    const noise = (8 * noiseOfPhi) / (h / 10);
    const significant = (jump: number) => jump > Math.max(100 * tolerance * scale, noise);
    const a = analytic[i];
    if (significant(narrowJump) && narrowJump >= 0.5 * wideJump && narrowJump <= 2 * wideJump) {
      const low = Math.min(narrow.left, narrow.right);
      const high = Math.max(narrow.left, narrow.right);
      const slack = 10 * tolerance * scale + noise;
      const entry = { index: i, left: narrow.left, right: narrow.right, analytic: a };
      if (a >= low - slack && a <= high + slack) result.subgradients.push(entry);
      else result.invalid.push(entry);
    } else if (significant(wideJump)) {
      const error = Math.abs(a - narrow.centered) / Math.max(Math.abs(a), Math.abs(narrow.centered), floor);
      // Near a kink the gap collapses once the step no longer reaches it; on a smooth curve it
      // shrinks tenfold with the step, as h·f'' does (a flat sigmoid∘sigmoid has such elements:
      // they are no kink).
      if (error <= tolerance) (narrowJump < wideJump / 30 ? result.nearKink : result.agreeAtSmallerStep).push(i);
    }
  }
  return result;
}
