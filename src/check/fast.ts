// `--mode fast`: instead of every element, compare the scalar uᵀJv for a few seeded random pairs
// (u a cotangent, v a direction per input). Each pair costs one backward pass and, after the first
// pair's ε sweep, two forward evaluations per input: independent of the input's size. A wrong
// gradient would have to be orthogonal to every random pair to pass, which it almost never is; when a
// pair fails, the checker falls back to the element-wise check so the report still names elements.
import type { Method } from './finite-difference.ts';
import { directionalError } from './finite-difference.ts';
import type { InputReport, SweepPoint } from './types.ts';

export const FAST_PAIRS = 3;

export interface FastPair {
  /** phi for this pair's cotangent u: u · f(x). */
  phi: () => number;
  /** The analytic gradient of u · f for each input. */
  gradients: Float64Array[];
  /** One direction per input. */
  directions: Float64Array[];
  noiseOfPhi: number;
}

export interface FastInput {
  name: string;
  shape: number[];
  data: Float64Array;
}

export function fastCheck(
  inputs: FastInput[],
  pairs: FastPair[],
  epsList: readonly number[],
  method: Method,
  tolerance: number,
  rankSteps: (points: { eps: number; relErr: number; noise: number }[]) => number[],
): InputReport[] {
  return inputs.map((input, k) => {
    let sweep: SweepPoint[] = [];
    let bestEps = epsList[0];
    let relErr = 0;
    let worst = { index: [] as number[], analytic: 0, numeric: 0 };
    pairs.forEach((pair, p) => {
      // uᵀJv of random pairs can cancel to a small number; the error is measured against the size
      // of its terms, Σ|gᵢ dᵢ sᵢ|, as the element-wise check measures against the gradient's size.
      const gradient = pair.gradients[k];
      const direction = pair.directions[k];
      let termScale = 0;
      for (let i = 0; i < gradient.length; i++) termScale += Math.abs(gradient[i] * direction[i] * Math.max(Math.abs(input.data[i]), 1));
      const at = (eps: number) => {
        const point = directionalError(pair.phi, input.data, gradient, direction, eps, pair.noiseOfPhi, method);
        // Both sides within f's rounding noise of zero: a zero gradient, not a mismatch.
        const withinNoise = point.noise >= 1 && Math.abs(point.numeric - point.analytic) * 2 * eps <= 16 * pair.noiseOfPhi;
        const scale = Math.max(Math.abs(point.analytic), Math.abs(point.numeric), termScale);
        const relErr = withinNoise ? 0 : scale === 0 ? 0 : Math.abs(point.analytic - point.numeric) / scale;
        return { eps, ...point, relErr: Number.isNaN(relErr) ? Infinity : relErr };
      };
      let best;
      if (p === 0) {
        const points = epsList.map(at);
        sweep = points.map(({ eps, relErr }) => ({ eps, relErr }));
        bestEps = rankSteps(points)[0];
        best = points.find((point) => point.eps === bestEps)!;
      } else {
        best = at(bestEps);
        // This pair's U-curve bottom may sit a step away from the first pair's.
        for (const eps of [bestEps * 10, bestEps / 10]) {
          if (best.relErr <= tolerance / 10) break;
          const candidate = at(eps);
          if (candidate.relErr < best.relErr) best = candidate;
        }
      }
      if (!(best.relErr <= relErr)) {
        relErr = best.relErr;
        worst = { index: [], analytic: best.analytic, numeric: best.numeric };
      }
    });
    return { name: input.name, shape: input.shape, passed: relErr <= tolerance, relErr, bestEps, worst, sweep };
  });
}
