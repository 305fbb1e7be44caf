// `--mode fast`: instead of every element, compare the scalar uᵀJv for the check's seeded cotangent u
// (the element-wise check's own, so its one backward serves) and a few seeded random directions v,
// each spanning every input at once, as torch's fast_mode does. Each direction costs two forward
// evaluations: six to ten in all, whatever the inputs' sizes and however many inputs there are. A
// wrong gradient would have to be orthogonal to every direction to pass, which it almost never is;
// when one fails, the checker falls back to the element-wise check, which names the input and elements.
import type { MaterializedInput } from '../../spec/inputs.ts';
import { DRAW, drawJointDirection } from '../draws.ts';
import { directionalError } from '../numeric/differences.ts';
import type { Phi } from '../phi.ts';
import { rankSteps } from '../numeric/steps.ts';
import type { InputReport, Method, SweepPoint } from '../../model/report.ts';
import { concat } from '../numeric/vectors.ts';
import { holdAsFloat32, isHeldAsFloat32 } from '../numeric/float32-inputs.ts';
import { holdJoinedDomains, scalesOf } from '../numeric/scales.ts';

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
  inputs: MaterializedInput[];
  /** The check's own cotangent, φ and gradients. */
  cotangent: FastCotangent;
  steps: FastSteps;
  method: Method;
  tolerance: number;
}

export interface FastResult {
  inputs: InputReport[];
  passed: boolean;
  relErr: number;
  /** Forward evaluations made. */
  evaluations: number;
}

type Point = ReturnType<typeof directionalError> & { eps: number };

/**
 * Compares along the directions in order, stopping at the first that fails: the fallback
 * (element-wise, or per input along directions) says the rest. Every input's report carries the
 * joint result.
 */
export function fastCheck(check: FastCheck): FastResult {
  const { inputs, steps, method, tolerance } = check;
  const before = check.cotangent.phi.evaluations;
  // The inputs laid end to end: one vector x, one direction over all of it. phi reads the inputs'
  // own arrays, so each evaluation copies x's segments back into them (cheap beside a forward).
  const x = concat(inputs.map((input) => input.data));
  const segments: Float64Array[] = [];
  let offset = 0;
  for (const input of inputs) {
    segments.push(x.subarray(offset, offset + input.data.length));
    offset += input.data.length;
  }
  // A float32 op's inputs are held in float32; so is the vector that perturbs them all at once.
  if (inputs.some((input) => isHeldAsFloat32(input.data))) holdAsFloat32(x);
  holdJoinedDomains(x, inputs.map((input) => input.data));
  const original = Float64Array.from(x);
  const sync = () => {
    for (let k = 0; k < inputs.length; k++) inputs[k].data.set(segments[k]);
  };

  let sweep: SweepPoint[] = [];
  let bestEps = steps[0][0];
  let relErr = 0;
  let worst = { analytic: 0, numeric: 0 };
  let passed = true;
  const { phi, noiseOfPhi } = check.cotangent;
  const gradient = concat(check.cotangent.gradients);
  const jointPhi = () => {
    sync();
    return phi();
  };
  try {
    for (let p = 0; p < FAST_DIRECTIONS && passed; p++) {
      const direction = drawJointDirection(check.seed, DRAW.fastDirection(check.opName, p), x.length);
      const scale = termScale(gradient, direction, x);
      const at = (eps: number): Point & { relErr: number } =>
        scaledDirectionalError(jointPhi, x, gradient, direction, eps, noiseOfPhi, method, scale);
      let best;
      if (p === 0) {
        const taken = new Map<number, Point & { relErr: number }>();
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
  } finally {
    x.set(original);
    sync();
  }
  const reports = inputs.map((input): InputReport => ({
    name: input.name,
    shape: input.shape,
    passed,
    relErr,
    bestEps,
    worst: { index: [], ...worst },
    sweep,
  }));
  const evaluations = check.cotangent.phi.evaluations - before;
  return { inputs: reports, passed, relErr, evaluations };
}

/**
 * uᵀJv along a random direction can cancel to a small number. The error is measured against the size such a
 * sum has, the 2-norm of its terms gᵢ vᵢ sᵢ (sᵢ = max(|xᵢ|, 1), the step's scale): a cancelled sum
 * fails no correct op, and a 0.1% error in one of N terms is diluted only by √N, not by N as it
 * would be against Σ|gᵢ vᵢ sᵢ|.
 */
export function termScale(gradient: Float64Array, direction: Float64Array, x: Float64Array): number {
  const scales = scalesOf(x);
  let squares = 0;
  for (let i = 0; i < x.length; i++) {
    const term = gradient[i] * direction[i] * scales[i];
    squares += term * term;
  }
  return Math.sqrt(squares);
}

/** The directional comparison at one step, its error measured against `scale` (see termScale). */
export function scaledDirectionalError(
  phi: () => number, x: Float64Array, gradient: Float64Array, direction: Float64Array,
  eps: number, noiseOfPhi: number, method: Method, scale: number,
): Point & { relErr: number } {
  const point = directionalError(phi, x, gradient, direction, eps, noiseOfPhi, method);
  // Both sides within f's rounding noise of zero: a zero gradient, not a mismatch.
  const withinNoise = point.noise >= 1 && Math.abs(point.numeric - point.analytic) * 2 * eps <= 16 * noiseOfPhi;
  const largest = Math.max(Math.abs(point.analytic), Math.abs(point.numeric), scale);
  const error = withinNoise || largest === 0 ? 0 : Math.abs(point.analytic - point.numeric) / largest;
  return { eps, ...point, relErr: Number.isNaN(error) ? Infinity : error };
}
