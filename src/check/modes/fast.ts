// `--mode fast`: instead of every element, compare the scalar uᵀJv for the check's seeded cotangent u
// (the element-wise check's own, so its one backward serves) and a few seeded random directions v,
// each spanning every input at once, as torch's fast_mode does. Each direction costs two forward
// evaluations: six to ten in all, whatever the inputs' sizes and however many inputs there are. A
// wrong gradient would have to be orthogonal to every direction to pass, which it almost never is;
// when one fails, the checker falls back to the element-wise check, which names the input and elements.
import { DRAW, drawJointDirection } from '../draws.ts';
import { directionalComparison, termScale } from '../numeric/differences.ts';
import type { DirectionalComparison, Directions } from '../numeric/differences.ts';
import type { Held } from '../numeric/point.ts';
import type { Phi } from '../phi.ts';
import { rankSteps } from '../numeric/steps.ts';
import type { JointComparison, Method, SweepPoint } from '../../model/report.ts';

/** Random directions v, each compared as uᵀJv. */
export const FAST_DIRECTIONS = 3;

/**
 * The first direction's steps when the run gives none, stage by stage: the bottom of a float64 U-curve
 * sits near 1e-5 for smooth ops, so one step usually settles it (a wrong gradient is off at every
 * step; only rounding noise or truncation could hide it, and those are counted). A result within 10×
 * of the tolerance, or above it, looks at 1e-4 and 1e-6, then at the whole sweep.
 */
export const FAST_STAGES: readonly (readonly number[])[] = [[1e-5], [1e-4, 1e-6]];

/** The check's cotangent u with its φ and gradients, shared by every direction. */
export interface FastCotangent {
  /** φ(x) = u · f(x), reading the inputs' current values. */
  phi: Phi;
  /** The analytic gradient of u · f for each input. */
  gradients: Float64Array[];
  noiseOfPhi: number;
}

/**
 * The first direction's steps, in stages: each next stage is swept only while the best so far is not
 * within a tenth of the tolerance (its own rounding noise counted against it).
 */
export type FastSteps = readonly (readonly number[])[];

export interface FastCheck {
  opName: string;
  seed: number;
  inputs: readonly Held[];
  /** The check's own cotangent, φ and gradients. */
  cotangent: FastCotangent;
  steps: FastSteps;
  method: Method;
  tolerance: number;
}

export interface FastResult {
  joint: JointComparison;
  passed: boolean;
  relErr: number;
  /** Forward evaluations made. */
  evaluations: number;
}

type Point = DirectionalComparison & { eps: number };

/**
 * Compares along the directions in order, stopping at the first that fails: the fallback
 * (element-wise, or per input along directions) says the rest.
 */
export function fastCheck(check: FastCheck): FastResult {
  const { inputs, steps, method, tolerance } = check;
  const { phi, noiseOfPhi, gradients } = check.cotangent;
  const before = phi.evaluations;
  let sweep: SweepPoint[] = [];
  let bestEps = steps[0][0];
  let relErr = 0;
  let worst = { analytic: 0, numeric: 0 };
  let passed = true;
  const total = inputs.reduce((n, input) => n + input.data.length, 0);
  for (let p = 0; p < FAST_DIRECTIONS && passed; p++) {
    // One direction spanning every input: drawn as one vector over the inputs laid end to end.
    const joint = drawJointDirection(check.seed, DRAW.fastDirection(check.opName, p), total);
    const along: Directions = { inputs, directions: splitAlong(joint, inputs), gradients };
    const scale = termScale(along);
    const at = (eps: number): Point => ({ eps, ...directionalComparison(phi, along, eps, noiseOfPhi, method, scale) });
    let best;
    if (p === 0) {
      const taken = new Map<number, Point>();
      let ranked: number[] = [];
      for (const stage of steps) {
        for (const eps of stage) if (!taken.has(eps)) taken.set(eps, at(eps));
        ranked = rankSteps([...taken.values()]);
        const first = taken.get(ranked[0])!;
        if (first.relErr + first.noise <= tolerance / 10) break;
      }
      const points = [...taken.values()].sort((a, b) => b.eps - a.eps);
      sweep = points.map(({ eps, relErr }) => ({ eps, relErr }));
      bestEps = ranked[0];
      best = points.find((point) => point.eps === bestEps)!;
    } else {
      best = at(bestEps);
      // This direction's U-curve bottom may sit a step away from the first one's.
      for (const eps of [bestEps * 10, bestEps / 10]) {
        if (best.relErr <= tolerance / 10) break;
        const candidate = at(eps);
        if (candidate.relErr < best.relErr) best = candidate;
      }
    }
    if (!(best.relErr <= relErr)) {
      relErr = best.relErr;
      worst = { analytic: best.analytic, numeric: best.numeric };
    }
    passed = relErr <= tolerance;
  }
  return { joint: { passed, relErr, bestEps, sweep, ...worst }, passed, relErr, evaluations: phi.evaluations - before };
}

/** A vector over the inputs laid end to end, cut into one piece per input. */
export function splitAlong(joint: Float64Array, inputs: readonly { data: Float64Array }[]): Float64Array[] {
  let offset = 0;
  return inputs.map((input) => joint.subarray(offset, (offset += input.data.length)));
}
