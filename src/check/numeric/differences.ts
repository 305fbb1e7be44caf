// The numeric side. Steps scale with the element (ε · max(|x|, 1)) and every difference divides by
// the step as the machine actually took it, (x + h) − (x − h), rather than by 2h.
//
// Three methods, all built from centered pairs c(h) = (f(x + h) − f(x − h)) / ((x + h) − (x − h)):
//   central     c(h)                                  2 evaluations, error O(h²)
//   five-point  (4 c(h) − c(2h)) / 3                  4 evaluations, error O(h⁴) (the 5-point stencil)
//   richardson  two Richardson steps over c(h), c(h/2), c(h/4), with an error estimate: the
//               difference between the last two extrapolations. 6 evaluations.

import { allocate } from '../../core/storage.ts';
import { storeFor } from './float32-inputs.ts';
import { hasDomain, scaleOf, scalesOf } from './scales.ts';
import type { Method } from '../../model/report.ts';
export type { Method };

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

/** The derivative of phi along element i of x, perturbing x in place and restoring it. */
export function elementDerivative(phi: () => number, x: Float64Array, i: number, eps: number, method: Method = 'central'): Estimate {
  return derivativeAtStep(phi, x, i, eps * scaleOf(x, i), method);
}

function derivativeAtStep(phi: () => number, x: Float64Array, i: number, h: number, method: Method): Estimate {
  // The default method without an array of pairs: this runs once per two forward evaluations.
  if (method === 'central') return { value: centeredDifference(phi, x, i, h), truncation: NaN };
  const pairs = PAIRS[method].map((multiple) => centeredDifference(phi, x, i, h * multiple));
  return combinePairs(method, pairs);
}

/** phi at x[i] ± h, perturbing x in place and restoring it; the steps as the machine took them. */
function evaluateAround(phi: () => number, x: Float64Array, i: number, h: number) {
  const store = storeFor(x);
  const xi = x[i];
  const up = store(xi + h);
  const down = store(xi - h);
  x[i] = up;
  const fUp = phi();
  x[i] = down;
  const fDown = phi();
  x[i] = xi;
  return { xi, up, down, fUp, fDown };
}

/** Centered difference of phi along element i of x with absolute step h. */
export function centeredDifference(phi: () => number, x: Float64Array, i: number, h: number): number {
  const { up, down, fUp, fDown } = evaluateAround(phi, x, i, h);
  return (fUp - fDown) / (up - down);
}

export interface NumericGradient {
  values: Float64Array;
  /** Per element, the method's truncation estimate (NaN without one). */
  truncation: Float64Array;
}

/** Every element's derivative at one step (the element-wise numeric gradient), with the method's truncation estimate. */
export function numericGradient(phi: () => number, x: Float64Array, eps: number, method: Method = 'central'): NumericGradient {
  const values = allocate(x.length);
  const truncation = allocate(x.length);
  const scales = scalesOf(x);
  for (let i = 0; i < x.length; i++) {
    const estimate = derivativeAtStep(phi, x, i, eps * scales[i], method);
    values[i] = estimate.value;
    truncation[i] = estimate.truncation;
  }
  return { values, truncation };
}

/**
 * One-sided differences at element i with absolute step h, given f at the unperturbed x:
 * at a kink they disagree by the jump in slope, however small h gets.
 */
export function oneSidedDifferences(phi: () => number, x: Float64Array, i: number, h: number, fAtX: number): { right: number; left: number; centered: number } {
  const { xi, up, down, fUp, fDown } = evaluateAround(phi, x, i, h);
  return { right: (fUp - fAtX) / (up - xi), left: (fAtX - fDown) / (xi - down), centered: (fUp - fDown) / (up - down) };
}

/**
 * Compares the analytic and numeric change of phi along one direction d. Each centered pair
 * evaluates phi(x ± tεd) and compares the difference with g · ((x + tεd) − (x − tεd)), the steps as
 * taken; the method combines the pairs on both sides alike, so a linear phi agrees exactly.
 * Two evaluations per pair, whatever the input's size: this is what finds the bottom of the U-curve.
 */
export interface DirectionalComparison {
  relErr: number;
  /** f's estimated rounding noise (`noiseOfPhi`) relative to the analytic change: how far this step can be trusted. */
  noise: number;
  /** The method's estimate of the analytic derivative along d, per unit of ε. */
  analytic: number;
  numeric: number;
  /** |numeric − analytic change| of the first pair, in units of phi: pure rounding noise at tiny steps. */
  residual: number;
}

export function directionalError(
  phi: () => number,
  x: Float64Array,
  gradient: Float64Array,
  direction: Float64Array,
  eps: number,
  noiseOfPhi: number,
  method: Method = 'central',
): DirectionalComparison {
  // Perturbed in place and restored from one copy: a sweep calls this once per step, and a fresh
  // Float64Array per step cost more than the loops on a small input.
  const original = allocate(x.length);
  original.set(x);
  const store = storeFor(x);
  const scales = scalesOf(x);
  const numericPairs: number[] = [];
  const analyticPairs: number[] = [];
  let residual = NaN;
  for (const multiple of PAIRS[method]) {
    const t = eps * multiple;
    for (let i = 0; i < x.length; i++) x[i] = store(original[i] + t * direction[i] * scales[i]);
    const fUp = phi();
    // The change along d as the machine took it: g · ((x + h) − (x − h)).
    let change = 0;
    for (let i = 0; i < x.length; i++) {
      const up = x[i];
      x[i] = store(original[i] - t * direction[i] * scales[i]);
      change += gradient[i] * (up - x[i]);
    }
    const fDown = phi();
    x.set(original);
    if (Number.isNaN(residual)) residual = Math.abs(fUp - fDown - change);
    numericPairs.push((fUp - fDown) / (2 * t));
    analyticPairs.push(change / (2 * t));
  }
  const numeric = combinePairs(method, numericPairs).value;
  const analytic = combinePairs(method, analyticPairs).value;
  const noise = (NOISE_FACTOR[method] * noiseOfPhi) / Math.abs(analytic * 2 * eps);
  return { relErr: relativeError(analytic, numeric), noise, analytic, numeric, residual };
}

export function relativeError(a: number, b: number): number {
  const scale = Math.max(Math.abs(a), Math.abs(b));
  if (scale === 0) return 0;
  const error = Math.abs(a - b) / scale;
  return Number.isNaN(error) ? Infinity : error;
}

export interface TableauEntry {
  value: number;
  /** Its error estimate: the distance to the neighbouring extrapolations it was built from. */
  error: number;
  /** Its share of f's rounding noise, carried through the extrapolation's weights. */
  noise: number;
  /** The smallest step the estimate used. */
  h: number;
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
 * Ridders' method for one element: centered differences at h0, h0/2, h0/4, … extrapolated in a
 * Neville tableau (each column cancels the next even power of h), keeping the entry whose error
 * bound (its error estimate plus its rounding noise, `noiseAt(h)` being a centered difference's at
 * step h) is smallest. The steps span six decades, so a steep function, whose truncation error is
 * small only at small steps, and a flat one, whose rounding noise is small only at large ones, both
 * find the steps where the estimate converges; where none does, the bound says so.
 *
 * Extrapolation assumes c(h) = f' + a·h² + b·h⁴ + …, which holds only below some step. Above it a
 * steep function's differences can be anything, even a plateau of equal values (tanh saturated on
 * both sides of a large step) that would look converged. So the tableau starts after the last step
 * at which the change between consecutive differences grew (beyond their rounding noise): below
 * it, the changes shrink as they do in the asymptotic regime. A difference that is not finite (a
 * probe outside the domain) likewise starts the tableau below it.
 */
export function riddersDerivative(phi: () => number, x: Float64Array, i: number, h0: number, noiseAt: (h: number) => number, analytic?: number): RefinedDerivative {
  const steps = Array.from({ length: RIDDERS_LEVELS }, (_, level) => h0 / 2 ** level);
  const differences = steps.map((h) => centeredDifference(phi, x, i, h));
  const evaluations = 2 * steps.length;
  if (analytic !== undefined) markBelowResolution(differences, steps, analytic);
  const best = bestOfTableau(differences, steps, asymptoticStart(differences, steps, noiseAt), noiseAt);
  if (!best) return { value: NaN, error: Infinity, noise: Infinity, h: h0, evaluations };
  const smaller = bestOfTableau(differences, steps, best.level + 1, noiseAt);
  return { value: best.value, error: best.error, noise: best.noise, h: best.h, evaluations, ...(smaller ? { smaller: withoutLevel(smaller) } : {}) };
}

/**
 * A difference of exactly 0 says nothing when the analytic change over the step, |a|·2h, is below
 * the smallest change of φ seen at any step (its rounding quantum: an output that cancels to 0 can
 * move only in steps of its largest terms' ulp): φ could not have moved. Such levels are dropped
 * (NaN). A zero where the analytic change is well above the quantum stays: φ is flat there, and a
 * nonzero gradient is wrong.
 */
function markBelowResolution(differences: number[], steps: number[], analytic: number): void {
  let quantum = Infinity;
  differences.forEach((c, l) => {
    if (c !== 0 && Number.isFinite(c)) quantum = Math.min(quantum, Math.abs(c) * 2 * steps[l]);
  });
  if (!Number.isFinite(quantum)) return;
  differences.forEach((c, l) => {
    if (c === 0 && Math.abs(analytic) * 2 * steps[l] < quantum) differences[l] = NaN;
  });
}

function withoutLevel({ value, error, noise, h }: TableauEntry & { level: number }): TableauEntry {
  return { value, error, noise, h };
}

/**
 * The first level of the asymptotic regime of values taken at halving steps, where they move as
 * a + b·h² + …: each change between consecutive values about a quarter of the one before. It starts
 * after the last step (with changes above the rounding noise) at which the change grew, or shrank
 * by less than 2.5× (a step that straddles a kink makes the values move linearly in h, halving the
 * change per step), and after any value that is not finite.
 */
export function asymptoticStart(values: number[], steps: number[], noiseAt: (h: number) => number): number {
  let start = 0;
  for (let j = 1; j < values.length; j++) {
    if (!Number.isFinite(values[j])) {
      start = j + 1;
      continue;
    }
    if (j < start + 2) continue;
    const change = Math.abs(values[j] - values[j - 1]);
    const before = Math.abs(values[j - 1] - values[j - 2]);
    if (change > 4 * noiseAt(steps[j]) && before < 2.5 * change) start = j - 1;
  }
  return start;
}

/**
 * Richardson's tableau over values taken at halving steps (each column cancels the next even
 * power of the step), from level `from` on: its entry with the smallest error bound.
 */
export function bestOfTableau(differences: number[], steps: number[], from: number, noiseAt: (h: number) => number): (TableauEntry & { level: number }) | undefined {
  const factor = 4; // (shrink 2)²
  let column: { value: number; noise: number }[] = [];
  let best: (TableauEntry & { level: number }) | undefined;
  for (let level = from; level < steps.length; level++) {
    const h = steps[level];
    if (!Number.isFinite(differences[level])) {
      column = [];
      continue;
    }
    const next = [{ value: differences[level], noise: noiseAt(h) }];
    let weight = factor;
    for (let j = 1; j <= column.length; j++) {
      const value = (next[j - 1].value * weight - column[j - 1].value) / (weight - 1);
      next[j] = { value, noise: (weight * next[j - 1].noise + column[j - 1].noise) / (weight - 1) };
      weight *= factor;
      const error = Math.max(Math.abs(value - next[j - 1].value), Math.abs(value - column[j - 1].value));
      if (!best || error + next[j].noise <= best.error + best.noise) best = { value, error, noise: next[j].noise, h, level };
    }
    column = next;
  }
  return best;
}

function allFinite(x: Float64Array): boolean {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) return false;
  return true;
}

/**
 * The steps of `epsList` that move every element of x: at a step below x's resolution,
 * (x + h) − (x − h) is 0 and the difference divides by it. `round` is how the engine stores an
 * input (float32 engines round x ± h to float32, which swallows larger steps than float64 does).
 */
export function usableSteps(x: Float64Array, epsList: readonly number[], round?: (v: number) => number): number[] {
  // Unrounded, with the default scale max(|x|, 1), a step of at least 2⁻⁵⁰ is two ulps or more
  // of every finite element: it moves them all, and only smaller steps need looking at.
  const plain = round === undefined && !hasDomain(x) && allFinite(x);
  let scales: Float64Array | undefined;
  const store = round ?? ((v: number) => v);
  return epsList.filter((eps) => {
    if (plain && eps >= 2 ** -50) return true;
    scales ??= scalesOf(x);
    for (let i = 0; i < x.length; i++) {
      const h = eps * scales[i];
      if (store(x[i] + h) === store(x[i] - h)) return false;
    }
    return true;
  });
}
