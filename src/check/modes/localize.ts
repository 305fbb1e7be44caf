// After fast mode fails on an op too large to re-check element by element (two forward evaluations
// per element: a 256×256 weight beside a 4 ms forward would take nine minutes), the failure is
// localized per input instead: each input alone, along two seeded random directions, two evaluations
// per step. The error is measured as fast mode measures it, against the 2-norm of the terms gᵢvᵢsᵢ,
// so that an error in a few elements is not diluted by N. When both directions give the same ratio
// analytic/numeric, the input's gradient is off by that one factor (or has its sign flipped).
import { formatShape } from '../../core/index.ts';
import type { CheckedInput } from '../prepare.ts';
import { formatRatio, ONE_FACTOR, scaledBy, short } from '../../model/words.ts';
import { DRAW, drawJointDirection } from '../draws.ts';
import { directionalComparison, termScale } from '../numeric/differences.ts';
import type { DirectionalComparison } from '../numeric/differences.ts';
import type { Phi } from '../phi.ts';
import { rankSteps } from '../numeric/steps.ts';
import type { Diagnosis, InputReport, Method } from '../../model/report.ts';

/** Above this many input elements in all, a fast-mode failure is localized per input, not re-checked element-wise. */
export const ELEMENT_WISE_FALLBACK_LIMIT = 16_384;

/** Steps tried along each direction: the bottom of a float64 U-curve sits near 1e-5 for smooth ops. */
const STEPS = [1e-4, 1e-5, 1e-6];
const DIRECTIONS = 2;

export interface Localize {
  opName: string;
  seed: number;
  inputs: CheckedInput[];
  gradients: Float64Array[];
  phi: Phi;
  noiseOfPhi: number;
  method: Method;
  tolerance: number;
}

export interface Localized {
  inputs: InputReport[];
  diagnoses: Diagnosis[];
  evaluations: number;
}

type Point = DirectionalComparison & { eps: number };

export function localizeFailure({ opName, seed, inputs, gradients, phi, noiseOfPhi, method, tolerance }: Localize): Localized {
  const before = phi.evaluations;
  const diagnoses: Diagnosis[] = [];
  const reports = inputs.map((input, k): InputReport => {
    const along = Array.from({ length: DIRECTIONS }, (_, p) => {
      const direction = drawJointDirection(seed, DRAW.localizeDirection(opName, input.name, p), input.data.length);
      const directions = { inputs: [input], directions: [direction], gradients: [gradients[k]] };
      const scale = termScale(directions);
      const points = STEPS.map((eps): Point => ({ eps, ...directionalComparison(phi, directions, eps, noiseOfPhi, method, scale) }));
      const best = points.find((point) => point.eps === rankSteps(points)[0])!;
      return { points, best };
    });
    const worst = along.reduce((a, b) => (b.best.relErr > a.best.relErr ? b : a)).best;
    const report: InputReport = {
      name: input.name,
      shape: input.shape,
      passed: worst.relErr <= tolerance,
      relErr: worst.relErr,
      bestEps: along[0].best.eps,
      worst: { index: [], analytic: worst.analytic, numeric: worst.numeric },
      sweep: along[0].points.map(({ eps, relErr }) => ({ eps, relErr })),
    };
    if (report.passed) return report;
    // A wrong gradient is off by the same at every step; an error that moves with the step is the
    // step's (a kink or saturation within reach of it), and decides nothing.
    if (!along.every(({ points }) => steady(points, tolerance))) {
      diagnoses.push(unsettled(input.name, worst.relErr, tolerance));
      return { ...report, passed: true, verdict: 'inconclusive' };
    }
    diagnoses.push(directionalPattern({ ...input, gradient: gradients[k] }, along.map(({ best }) => best), worst.relErr));
    return report;
  });
  return { inputs: reports, diagnoses, evaluations: phi.evaluations - before };
}

/** Whether a failing direction's error is above the tolerance and within 3× of itself at every step. */
function steady(points: Point[], tolerance: number): boolean {
  const errors = points.map((p) => p.relErr);
  if (errors.every((e) => e <= tolerance)) return true;
  return errors.every((e) => e > tolerance) && Math.max(...errors) <= 3 * Math.min(...errors);
}

function unsettled(name: string, relErr: number, tolerance: number): Diagnosis {
  return {
    code: 'inconclusive',
    input: name,
    message:
      `along random directions through '${name}' the difference moves with the step (${short(relErr)} at its worst): the steps reach a kink or a ` +
      `saturated region, so it is neither shown wrong nor proven right at tolerance ${short(tolerance)}. Check the op at a smaller shape, element by element (--mode element-wise).`,
  };
}

/**
 * What two random directions say about a failing input's gradient. `why` says why directions were
 * used; two ratios analytic/numeric within `slack` of each other (besides a tenth of their distance
 * from 1) count as one constant factor.
 */
export function directionalPattern(
  input: { name: string; shape: number[]; gradient: Float64Array },
  along: { analytic: number; numeric: number }[],
  relErr: number,
  { why = 'too many to re-check one by one', slack = 1e-7, hint = ' To name the elements, check the op at a smaller shape with --mode element-wise.' }: { why?: string; slack?: number; hint?: string } = {},
): Diagnosis {
  const { name, shape, gradient } = input;
  const count = gradient.length.toLocaleString('en-US');
  const seen = `along ${along.length} random directions through all ${count} elements of '${name}' ${formatShape(shape)} (${why})`;
  if (gradient.every((g) => g === 0)) {
    return {
      code: 'detached',
      input: name,
      message:
        `the analytic gradient of '${name}' is exactly 0 on all ${count} elements, while finite differences ${seen} see it change the output: ` +
        `the graph is severed between '${name}' and the output (a .detach(), a read of .data, or a constant copy).`,
    };
  }
  const ratios = along.map((point) => point.analytic / point.numeric);
  const ratio = (ratios[0] + ratios[1]) / 2;
  const consistent = ratios.every(Number.isFinite) && Math.abs(ratios[0] - ratios[1]) <= Math.max(0.1 * Math.abs(ratio - 1), slack);
  if (consistent && Math.abs(ratio + 1) < 1e-3) {
    return {
      code: 'sign-flipped',
      input: name,
      detail: { ratio },
      message: `${capitalize(seen)}, the analytic change is minus the numeric one (ratio ${ratio.toFixed(4)}): a sign is flipped in the gradient of '${name}'.`,
    };
  }
  if (consistent) {
    return {
      code: 'scaled',
      input: name,
      detail: { ratio },
      message: `${capitalize(seen)}, the analytic gradient of '${name}' is ${scaledBy(ratio)} (analytic/numeric = ${formatRatio(ratio)} along both): ${ONE_FACTOR}`,
    };
  }
  return {
    code: 'mismatch',
    input: name,
    message:
      `${capitalize(seen)}, the analytic change differs from the numeric one (relative error ${short(relErr)}; analytic/numeric ` +
      `${ratios.map(short).join(' and ')}): not one constant factor.${hint}`,
  };
}

function capitalize(text: string): string {
  return text[0].toUpperCase() + text.slice(1);
}
