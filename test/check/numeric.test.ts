// The numeric core every mode goes through (src/check/numeric/): the one way the point is moved,
// the one relative error, the ladder of extrapolated steps and the noise probe.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { centeredDifference, directionalComparison, usableSteps } from '../../src/check/numeric/differences.ts';
import { directionalError, elementError } from '../../src/check/numeric/error.ts';
import { climbLadder, componentOf, extrapolate, verdictOf } from '../../src/check/numeric/ladder.ts';
import { asVector, probeNoise } from '../../src/check/numeric/noise.ts';
import { directionPair, elementPair, evaluateMoved, hold } from '../../src/check/numeric/point.ts';

const seed = process.env.GRADCHECK_PROPERTY_SEED;
if (seed !== 'random') fc.configureGlobal({ seed: seed === undefined ? 20261206 : Number(seed) });

const finite = fc.double({ min: -1e6, max: 1e6, noNaN: true });

describe('the point and its one way of moving', () => {
  it('puts every input back at its origin after any move, also when f throws', () => {
    fc.assert(
      fc.property(fc.array(finite, { minLength: 1, maxLength: 20 }), fc.double({ min: -1, max: 1, noNaN: true }), fc.boolean(), fc.boolean(), (values, step, float32, throws) => {
        const x = hold(Float64Array.from(values), { float32 });
        const before = Float64Array.from(x.data);
        const direction = x.data.map((_, i) => Math.cos(i + 1));
        const f = () => {
          if (throws) throw new Error('the op threw');
          return x.data.reduce((a, b) => a + b, 0);
        };
        for (const move of [{ input: x, element: values.length - 1, step }, { inputs: [x], directions: [direction], step }]) {
          if (throws) expect(() => evaluateMoved(move, f)).toThrow('the op threw');
          else evaluateMoved(move, f);
          expect(x.data).toEqual(before);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('stores a moved value as the engine does, and divides by the span as stored', () => {
    const x = hold(Float64Array.of(1 / 3), { float32: true });
    expect(x.data[0]).toBe(Math.fround(1 / 3));
    const seen: number[] = [];
    const { span } = elementPair(x, 0, 1e-6, () => seen.push(x.data[0]));
    expect(seen).toEqual([Math.fround(x.origin[0] + 1e-6), Math.fround(x.origin[0] - 1e-6)]);
    expect(span).toBe(seen[0] - seen[1]);
    // A linear f is differenced exactly whatever the rounding of the step.
    expect(centeredDifference(() => 3 * x.data[0], x, 0, 1e-6)).toBeCloseTo(3, 12);
  });

  it('caps each element’s step scale at its distance to the domain, so that no step leaves it', () => {
    const x = hold(Float64Array.of(1e-6, 5, 0.5, 9.5), { domain: [0, 10] });
    expect(Array.from(x.scales)).toEqual([1e-6, 5, 0.5, 0.5]);
    expect(usableSteps(x, [0.5, 1e-20])).toEqual([0.5]);
  });

  it('fills the spans of a directional pair as stored, one per moved input', () => {
    const a = hold(Float64Array.of(0.1, 0.2), { float32: true });
    const b = hold(Float64Array.of(7));
    const spans = [new Float64Array(2), null];
    const d = Float64Array.of(1, -1);
    directionPair([a, b], [d, null], 1e-3, () => 0, spans);
    for (let i = 0; i < 2; i++) expect(spans[0]![i]).toBe(Math.fround(a.origin[i] + 1e-3 * d[i]) - Math.fround(a.origin[i] - 1e-3 * d[i]));
    expect(b.data[0]).toBe(7);
  });
});

describe('the relative error', () => {
  it('is |a − n| / max(|a|, |n|, floor), symmetric, in [0, 1] for values of one sign', () => {
    fc.assert(
      fc.property(finite, finite, fc.double({ min: 0, max: 10, noNaN: true }), (a, n, floor) => {
        const e = elementError(a, n, floor);
        expect(e).toBe(elementError(n, a, floor));
        expect(e).toBeGreaterThanOrEqual(0);
        if (Math.sign(a) * Math.sign(n) >= 0) expect(e).toBeLessThanOrEqual(1 + 1e-15);
      }),
    );
  });

  it('is 0 where both lie within the noise of zero, and Infinity for NaN or an infinite side', () => {
    expect(elementError(1e-12, -1e-12, 0, 1e-10)).toBe(0);
    expect(elementError(NaN, 1)).toBe(Infinity);
    expect(elementError(Infinity, 1)).toBe(Infinity);
    expect(elementError(0, 0)).toBe(0);
    expect(elementError(1.001, 1)).toBeCloseTo(1e-3 / 1.001, 15);
  });

  it('along a direction, is measured against the size of the terms it sums', () => {
    expect(directionalError(1e-3, 2e-3, 1, 0)).toBeCloseTo(1e-3, 15);
    expect(directionalError(1, 1.001, 0, 0)).toBeCloseTo(1e-3 / 1.001, 15);
  });
});

describe('the ladder of large steps', () => {
  it('extrapolates a discrepancy a·t² + b·t⁴ to 0, and a wrong rule to its error', () => {
    const x = hold(Float64Array.of(0.3, -0.7));
    const f = () => Float64Array.of(Math.sin(x.data[0]) + x.data[1] ** 3);
    const g = [Math.cos(0.3), 3 * 0.49];
    const d = Float64Array.of(1, 1);
    for (const wrong of [1, 1.001]) {
      const change = ([span]: readonly (Float64Array | null)[]) => Float64Array.of(wrong * (g[0] * span![0] + g[1] * span![1]));
      const ladder = climbLadder({ inputs: [x], directions: [d], f, change, levels: 12 });
      const e = extrapolate(componentOf(ladder, 0), ladder.steps, 1e-16);
      const scale = Math.hypot(g[0], g[1]);
      const verdict = verdictOf(e, scale, 1e-7);
      expect(verdict.says).toBe(wrong === 1 ? 'pass' : 'fail');
      if (wrong !== 1) expect(Math.abs(e.value) / (g[0] + g[1])).toBeCloseTo(1e-3, 5);
    }
  });

  it('stops as soon as the caller has its answer, from the fourth step on', () => {
    const x = hold(Float64Array.of(1));
    const ladder = climbLadder({ inputs: [x], directions: [Float64Array.of(1)], f: () => Float64Array.of(x.data[0]), change: ([s]) => Float64Array.of(s![0]), levels: 12, enough: () => true });
    expect(ladder.steps.length).toBe(4);
    expect(ladder.evaluations).toBe(8);
  });

  it('says unresolved where the noise is as large as the discrepancy', () => {
    expect(verdictOf({ value: 2e-6, bound: 5e-6, step: 0.1 }, 1, 1e-7).says).toBe('unresolved');
    expect(verdictOf({ value: 2e-6, bound: 1e-7, step: 0.1 }, 1, 1e-7).says).toBe('fail');
  });
});

describe('the noise probe', () => {
  it('measures a function’s own rounding, per component: float64 at ulps, float32 arithmetic at 6e-8 of the value', () => {
    const x = hold(Float64Array.of(0.7, 0.2));
    const direction = Float64Array.of(1, 0.5);
    const f = () => Float64Array.of(Math.exp(x.data[0]) * 3 + x.data[1], Math.fround(Math.fround(Math.exp(x.data[0])) * 3));
    const probe = probeNoise({ inputs: [x], directions: [direction], f });
    expect(probe.noiseOf(0)).toBeLessThan(1e-14);
    expect(probe.noiseOf(1)).toBeGreaterThan(1e-8);
    expect(probe.noiseOf(1)).toBeLessThan(1e-6);
    expect(probe.evaluations).toBe(17);
  });

  it('sees a quantized function’s rounding as half a quantum, not the smoothness of the steps between', () => {
    const x = hold(Float64Array.of(1.5), { float32: true });
    // f changes far less per probe point than float32's quantum at 10: its rounding is all there is.
    const f = () => Float64Array.of(Math.fround(10 + 1e-3 * x.data[0]));
    const change = ([displacement]: readonly (Float64Array | null)[]) => Float64Array.of(1e-3 * displacement![0]);
    const noise = probeNoise({ inputs: [x], directions: [Float64Array.of(1)], f, change }).noiseOf(0);
    const quantum = 2 ** -19; // float32's spacing at 10
    expect(noise).toBeGreaterThanOrEqual(quantum / 4);
    expect(noise).toBeLessThanOrEqual(quantum);
  });

  it('skips a probe that leaves the function’s domain', () => {
    const x = hold(Float64Array.of(1e-9));
    const probe = probeNoise({ inputs: [x], directions: [Float64Array.of(-1)], f: asVector(() => Math.sqrt(x.data[0])) });
    expect(Number.isFinite(probe.noiseOf(0))).toBe(true);
  });
});

describe('a directional comparison', () => {
  it('agrees exactly for a linear f, and finds a 0.1% error', () => {
    const x = hold(Float64Array.of(1, 2, 3));
    const w = Float64Array.of(0.5, -1, 2);
    const f = () => x.data.reduce((sum, v, i) => sum + w[i] * v, 0);
    const along = (g: Float64Array) => ({ inputs: [x], directions: [Float64Array.of(1, 0.3, -0.2)], gradients: [g] });
    expect(directionalComparison(f, along(w), 1e-5, 1e-16).relErr).toBeLessThan(1e-10);
    expect(directionalComparison(f, along(w.map((v) => v * 1.001)), 1e-5, 1e-16).relErr).toBeCloseTo(1e-3 / 1.001, 6);
  });
});
