// Diagnoses that are verdicts about the numeric side rather than patterns of a wrong gradient:
// kinks (valid subgradients, or not), rounding noise, and an estimate too uncertain to decide.
import type { Diagnosis } from '../../model/report.ts';
import type { KinkProbe } from './kinks.ts';
import { formatIndex, plural, roundUpDecade, short } from '../../model/words.ts';

/**
 * The difference lies within f's own rounding noise. Said in terms of what the noise is like: float32
 * arithmetic (about 6e-8 of the output), an output that cancels terms far larger than itself (noise
 * beyond 1e-5 of it), or float64 noise that only matters because the gradient is small beside the output.
 */
const SMALLEST_NORMAL = 2 ** -1022;

export function noiseFloor(name: string, noise: number, outputMagnitude: number, bestReachable: number, tolerance: number): Diagnosis {
  const relative = noise / Math.max(outputMagnitude, Number.MIN_VALUE);
  const size = `about ${short(noise)} per evaluation`;
  const [like, fix] =
    outputMagnitude < SMALLEST_NORMAL
      ? [`${size}: the output (${short(outputMagnitude)}) lies in float64's denormal range (below 2.2e-308), where values are rounded to steps of 4.9e-324 whatever their size, so they keep only a few significant digits`, 'scale the op so its output is a normal number, or check']
      : relative > 1e-5
      ? [`${size}, far more than the output's own size (${short(outputMagnitude)}): the output cancels terms much larger than itself`, 'check a quantity that does not cancel, or']
      : relative > 1e-9
        ? [`${size}, ${short(relative)} of the output (float32 rounding is about 6e-8)`, 'compute in float64, or check']
        : [`${size}, ${short(relative)} of the output, tiny in itself, but the gradient of '${name}' is small beside the output`, 'scale the op so its output is not much larger than its changes, or check'];
  return {
    code: 'noise-floor',
    input: name,
    message:
      `the function's own rounding noise, ${like}, limits what finite differences can resolve: the best reachable relative error ` +
      `for '${name}' is about ${short(bestReachable)}, above the tolerance ${short(tolerance)}. The remaining difference is within ` +
      `that noise, so this is inconclusive, not a failure: ${fix} with --tol ${short(roundUpDecade(bestReachable * 10))}.`,
  };
}

export function inconclusive(name: string, estimate: number, relErr: number, tolerance: number): Diagnosis {
  return {
    code: 'inconclusive',
    input: name,
    message:
      `the numeric estimate of '${name}' did not converge: refined element by element over steps from 1e-1 to 2e-7 ` +
      `(Ridders' extrapolation), it is still uncertain by about ${short(estimate)} (relative), as large as the difference ` +
      `found (${short(relErr)}): inconclusive, not a failure, at tolerance ${short(tolerance)}. A function this steep or ` +
      `this flat needs a rescaled input, a domain ({ shape, domain: [0, Infinity] }) on an input near a singularity (sqrt, log at 0), or a looser --tol to be decided.`,
  };
}

/** Failing elements that sit on a kink with a valid subgradient: a warning, the op passes. */
export function kinkWarning(name: string, shape: number[], subgradients: KinkProbe['subgradients']): Diagnosis {
  const e = subgradients[0];
  return {
    code: 'non-differentiable',
    input: name,
    message:
      `${plural(subgradients.length, 'element')} of '${name}' ${verb(subgradients.length, 'sits', 'sit')} on a kink, first ${formatIndex(e.index, shape)}: ` +
      `the slope is ${short(e.left)} from the left and ${short(e.right)} from the right, and the analytic ${short(e.analytic)} ` +
      `lies between them, a valid subgradient. Passed; the centered difference there averages two slopes, so it was not compared.`,
  };
}

/** A kink where the analytic value lies outside the one-sided slopes: no subgradient, a failure. */
export function kinkFailure(name: string, shape: number[], invalid: KinkProbe['invalid']): Diagnosis {
  const e = invalid[0];
  return {
    code: 'non-differentiable',
    input: name,
    message:
      `${plural(invalid.length, 'element')} of '${name}' ${verb(invalid.length, 'sits', 'sit')} on a kink, first ${formatIndex(e.index, shape)}: the slope is ` +
      `${short(e.left)} from the left and ${short(e.right)} from the right, but the analytic ${short(e.analytic)} is outside ` +
      `[${short(Math.min(e.left, e.right))}, ${short(Math.max(e.left, e.right))}], so it is no subgradient. ` +
      `Return a value between the one-sided slopes there (e.g. 0 for relu at 0).`,
  };
}

function verb(count: number, singular: string, plural: string): string {
  return count === 1 ? singular : plural;
}
