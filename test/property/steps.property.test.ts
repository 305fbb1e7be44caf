// The laws the step selection rests on, for every float64 input: the shortcut that skips the scan
// for steps of at least 2⁻⁵⁰ agrees with the scan itself.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { usableSteps } from '../../src/check/numeric/differences.ts';
import { hold } from '../../src/check/numeric/point.ts';

const seed = process.env.GRADCHECK_PROPERTY_SEED;
if (seed !== 'random') fc.configureGlobal({ seed: seed === undefined ? 20261201 : Number(seed) });

describe('usable steps', () => {
  it('a step of at least 2⁻⁵⁰ · max(|x|, 1) moves every finite float64 element, so the shortcut keeps exactly what a scan keeps', () => {
    const element = fc.double({ noNaN: true, noDefaultInfinity: true });
    const eps = fc.double({ min: 2 ** -50, max: 1, noNaN: true });
    fc.assert(
      fc.property(fc.array(element, { minLength: 1, maxLength: 50 }), fc.array(eps, { minLength: 1, maxLength: 6 }), (values, steps) => {
        const x = hold(Float64Array.from(values));
        const scanned = steps.filter((h) => values.every((v) => v + h * Math.max(Math.abs(v), 1) !== v - h * Math.max(Math.abs(v), 1)));
        expect(usableSteps(x, steps)).toEqual(scanned);
      }),
      { numRuns: 2000 },
    );
  });

  it('still drops a step that cannot move an element', () => {
    expect(usableSteps(hold(Float64Array.of(1, 1e20)), [1e-5, 1e-20])).toEqual([1e-5]);
    expect(usableSteps(hold(Float64Array.of(0.5), { float32: true }), [1e-17])).toEqual([]);
  });
});
