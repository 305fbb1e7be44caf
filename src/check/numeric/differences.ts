// Finite differences, all built from centered pairs taken through point.ts, each divided by the
// span as the engine stored it, (x + h) − (x − h), rather than by 2h. Steps scale with the element
// (ε · its scale, point.ts).
//
// Three methods, all built from centered pairs c(h) = (f(x + h) − f(x − h)) / ((x + h) − (x − h)):
//   central     c(h)                                  2 evaluations, error O(h²)
//   five-point  (4 c(h) − c(2h)) / 3                  4 evaluations, error O(h⁴) (the 5-point stencil)
//   richardson  two Richardson steps over c(h), c(h/2), c(h/4), with an error estimate: the
//               difference between the last two extrapolations. 6 evaluations.
import { allocate } from '../../core/storage.ts';
import type { Method } from '../../model/report.ts';
import { directionalError, FLOOR_OF_INPUT, relativeError } from './error.ts';
import { directionPair, elementPair } from './point.ts';
import type { Held } from './point.ts';
import { asymptoticStart, bestOfTableau } from './tableau.ts';
import type { TableauEntry } from './tableau.ts';
import { dot } from './vectors.ts';

/** Step multiples of h at which each method takes a centered pair. */
const PAIRS: Record<Method, readonly number[]> = {
  central: [1],
  'five-point': [1, 2],
  richardson: [1, 0.5, 0.25],
};

/**
 * How much more f's rounding noise a method's estimate carries than the centered difference at the
 * same h (the sum of |weight| / step multiple over its pairs).
 */
export const NOISE_FACTOR: Record<Method, number> = { central: 1, 'five-point': 1.5, richardson: 6 };

export interface Estimate {
  value: number;
  /** The method's own estimate of its truncation error (Richardson only; NaN when it has none). */
  truncation: number;
}

/** Combines the centered pairs, in the order of PAIRS[method]. */
export function combinePairs(method: Method, c: readonly number[]): Estimate {
  if (method === 'central') return { value: c[0], truncation: NaN };
  if (method === 'five-point') return { value: (4 * c[0] - c[1]) / 3, truncation: NaN };
  const first = (4 * c[1] - c[0]) / 3;
  const second = (4 * c[2] - c[1]) / 3;
  const value = (16 * second - first) / 15;
  return { value, truncation: Math.abs(value - second) };
}

export function evaluationsPerPoint(method: Method): number {
  return 2 * PAIRS[method].length;
}

/** Centered difference of f along element i of x with absolute step h. */
export function centeredDifference(f: () => number, x: Held, i: number, h: number): number {
  const { up, down, span } = elementPair(x, i, h, f);
  return (up - down) / span;
}

/** The derivative of f along element i of x at step ε (times the element's scale). */
export function elementDerivative(f: () => number, x: Held, i: number, eps: number, method: Method = 'central'): Estimate {
  const h = eps * x.scales[i];
  // The default method without an array of pairs: this runs once per two forward evaluations.
  if (method === 'central') return { value: centeredDifference(f, x, i, h), truncation: NaN };
  return combinePairs(method, PAIRS[method].map((multiple) => centeredDifference(f, x, i, h * multiple)));
}

export interface NumericGradient {
  values: Float64Array;
  /** Per element, the method's truncation estimate (NaN without one). */
  truncation: Float64Array;
}

/** Every element's derivative of x at one step (the element-wise numeric gradient), with the method's truncation estimate. */
export function numericGradient(f: () => number, x: Held, eps: number, method: Method = 'central'): NumericGradient {
  const length = x.data.length;
  const values = allocate(length);
  const truncation = allocate(length);
  for (let i = 0; i < length; i++) {
    const estimate = elementDerivative(f, x, i, eps, method);
    values[i] = estimate.value;
    truncation[i] = estimate.truncation;
  }
  return { values, truncation };
}

/**
 * One-sided differences at element i of x with absolute step h, given f at the point: at a kink
 * they disagree by the jump in slope, however small h gets.
 */
export function oneSidedDifferences(f: () => number, x: Held, i: number, h: number, fAtX: number): { right: number; left: number; centered: number } {
  const { origin, store } = x;
  const { up, down, span } = elementPair(x, i, h, f);
  const xi = origin[i];
  return { right: (up - fAtX) / (store(xi + h) - xi), left: (fAtX - down) / (xi - store(xi - h)), centered: (up - down) / span };
}

/**
 * Compares the analytic and numeric change of f along directions d (one per input, null for an input
 * not moved). Each centered pair evaluates f(x ± tεd) and compares the difference with g · spans,
 * the steps as taken; the method combines the pairs on both sides alike, so a linear f agrees exactly.
 * Two evaluations per pair, whatever the inputs' sizes: this is what finds the bottom of the U-curve.
 */
export interface DirectionalComparison {
  /** Relative error of the two values (see `directionalComparison`'s `scale`). */
  relErr: number;
  /** f's estimated rounding noise (`noiseOfPhi`) relative to the analytic change: how far this step can be trusted. */
  noise: number;
  /** The method's estimate of the analytic derivative along d, per unit of ε. */
  analytic: number;
  numeric: number;
  /** |numeric − analytic change| of the first pair, in units of f: pure rounding noise at tiny steps. */
  residual: number;
}

export interface Directions {
  inputs: readonly Held[];
  /** Per input, its direction (null: not moved). */
  directions: readonly (Float64Array | null)[];
  /** Per input, the analytic gradient of f (null where not moved). */
  gradients: readonly (Float64Array | null)[];
}

/**
 * The comparison at step ε. With `scale` (termScale: the size of the terms g·d sums) the error is
 * measured against it too, and a change within f's rounding noise of zero is no mismatch; without,
 * it is the plain relative error of the two values.
 */
export function directionalComparison(f: () => number, along: Directions, eps: number, noiseOfPhi: number, method: Method = 'central', scale?: number): DirectionalComparison {
  const { inputs, directions, gradients } = along;
  const spans = directions.map((d, k) => (d ? allocate(inputs[k].data.length) : null));
  const numericPairs: number[] = [];
  const analyticPairs: number[] = [];
  let residual = NaN;
  // Compared per step (the change over ε) rather than per unit of ε: a derivative along d can
  // exceed the largest float64 where the change over a step does not (exp near its overflow).
  for (const multiple of PAIRS[method]) {
    const t = eps * multiple;
    const { up, down } = directionPair(inputs, directions, t, f, spans);
    // The change along d as the machine took it: g · ((x + h) − (x − h)).
    let change = 0;
    for (let k = 0; k < inputs.length; k++) if (spans[k]) change += dot(gradients[k]!, spans[k]!);
    if (Number.isNaN(residual)) residual = Math.abs(up - down - change);
    numericPairs.push((up - down) / (2 * multiple));
    analyticPairs.push(change / (2 * multiple));
  }
  const numericStep = combinePairs(method, numericPairs).value;
  const analyticStep = combinePairs(method, analyticPairs).value;
  const [numeric, analytic] = [numericStep / eps, analyticStep / eps];
  const noise = (NOISE_FACTOR[method] * noiseOfPhi) / Math.abs(analyticStep * 2);
  if (scale === undefined) return { relErr: relativeError(analyticStep, numericStep), noise, analytic, numeric, residual };
  // Both sides within f's rounding noise of zero and of each other: a zero change, not a mismatch.
  const allowance = noise >= 1 ? (16 * noiseOfPhi) / 2 : 0;
  return { relErr: directionalError(analyticStep, numericStep, scale * eps, allowance), noise, analytic, numeric, residual };
}

/**
 * uᵀJv along a random direction can cancel to a small number: the size such a sum has is the 2-norm
 * of its terms gᵢ vᵢ sᵢ (sᵢ the step's scale), against which the error is measured, so that a
 * cancelled sum fails no correct op, and a 0.1% error in one of N terms is diluted only by √N, not
 * by N as it would be against Σ|gᵢ vᵢ sᵢ|.
 */
export function termScale(along: Directions): number {
  let squares = 0;
  along.inputs.forEach(({ scales, typicalGradient }, k) => {
    const d = along.directions[k];
    const g = along.gradients[k];
    if (!d || !g) return;
    // Beyond the drawn point each gradient counts at least as the element-wise check's floor there
    // (1% of the drawn point's largest): a saturated point's near-zero sum is rounding, not a bug.
    const floor = typicalGradient ? FLOOR_OF_INPUT * typicalGradient : 0;
    for (let i = 0; i < d.length; i++) {
      const term = Math.max(Math.abs(g[i]), floor) * d[i] * scales[i];
      squares += term * term;
    }
  });
  return Math.sqrt(squares);
}

export interface RefinedDerivative extends TableauEntry {
  /**
   * The best estimate built only from steps smaller than those of the first: a second, independent
   * opinion. A plateau of equal differences at large steps (a steep function saturated on both
   * sides, a kink straddled) can look converged; the smaller steps then disagree with it.
   */
  smaller?: TableauEntry;
  evaluations: number;
}

/** Halvings from the first step: 0.1 down to about 2e-7 (times the element's scale). */
export const RIDDERS_LEVELS = 20;

/**
 * Ridders' method for element i of x: centered differences at h0, h0/2, h0/4, …
 * extrapolated in a Neville tableau (tableau.ts), keeping the entry whose error bound (its error
 * estimate plus its rounding noise, `noiseAt(h)` being a centered difference's at step h) is
 * smallest. The steps span six decades, so a steep function, whose truncation error is small only
 * at small steps, and a flat one, whose rounding noise is small only at large ones, both find the
 * steps where the estimate converges; where none does, the bound says so.
 */
export function riddersDerivative(f: () => number, x: Held, i: number, h0: number, noiseAt: (h: number) => number, analytic?: number): RefinedDerivative {
  const all = Array.from({ length: RIDDERS_LEVELS }, (_, level) => h0 / 2 ** level);
  const measured = all.map((h) => centeredDifference(f, x, i, h));
  const evaluations = 2 * all.length;
  const usable = analytic === undefined ? all.length : aboveResolution(measured, all, analytic);
  const [steps, differences] = [all.slice(0, usable), measured.slice(0, usable)];
  const best = bestOfTableau(differences, steps, asymptoticStart(differences, steps, noiseAt), noiseAt);
  if (!best) return { value: NaN, error: Infinity, noise: Infinity, h: h0, evaluations };
  const smaller = bestOfTableau(differences, steps, best.level + 1, noiseAt);
  return { value: best.value, error: best.error, noise: best.noise, h: best.h, evaluations, ...(smaller ? { smaller: withoutLevel(smaller) } : {}) };
}

/**
 * How many of the steps, largest first, f can resolve. A difference of exactly 0 says nothing when
 * the analytic change over the step, |a|·2h, is below the smallest change of f seen at any step (its
 * rounding quantum: an output that cancels to 0, or one in the denormal range, moves only in steps
 * of its largest terms' ulp): f could not have moved, and at the smaller steps after it even less.
 * A zero where the analytic change is well above the quantum stays: f is flat there, and a nonzero
 * gradient is wrong.
 */
function aboveResolution(differences: number[], steps: number[], analytic: number): number {
  // An analytic 0 predicts f not moving: a zero is that prediction met, and the larger steps'
  // nonzero differences then straddled something steeper than the step (tanh(135x) near 0).
  if (analytic === 0) return differences.length;
  let quantum = Infinity;
  differences.forEach((c, l) => {
    if (c !== 0 && Number.isFinite(c)) quantum = Math.min(quantum, Math.abs(c) * 2 * steps[l]);
  });
  // f moved at no step: flat there, every zero a measurement.
  if (!Number.isFinite(quantum)) return differences.length;
  const first = differences.findIndex((c, l) => c === 0 && Math.abs(analytic) * 2 * steps[l] < quantum);
  return first < 0 ? differences.length : first;
}

function withoutLevel({ value, error, noise, h }: TableauEntry & { level: number }): TableauEntry {
  return { value, error, noise, h };
}

function allFinite(x: Float64Array): boolean {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) return false;
  return true;
}

/**
 * The steps of `epsList` that move every element of x as the engine stores it: at a step below x's
 * resolution, (x + h) − (x − h) is 0 and the difference divides by it. A float32 engine's rounding
 * swallows larger steps than float64's does.
 */
export function usableSteps(x: Held, epsList: readonly number[]): number[] {
  // Unrounded, with the default scale max(|x|, 1), a step of at least 2⁻⁵⁰ is two ulps or more
  // of every finite element: it moves them all, and only smaller steps need looking at.
  const plain = !x.rounds && !x.capped && allFinite(x.origin);
  const { origin, store, scales } = x;
  return epsList.filter((eps) => {
    if (plain && eps >= 2 ** -50) return true;
    for (let i = 0; i < origin.length; i++) {
      const h = eps * scales[i];
      if (store(origin[i] + h) === store(origin[i] - h)) return false;
    }
    return true;
  });
}
