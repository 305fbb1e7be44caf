// Tensor storage comes from shared slabs: every array must still behave as if it were its own.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocate } from '../../src/core/storage.ts';
import { tensor } from '../../src/index.ts';

describe('allocate', () => {
  it('hands out zero-filled arrays that never overlap, whatever the sizes', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 80 }), (lengths) => {
        const arrays = lengths.map((length) => allocate(length));
        arrays.forEach((array, k) => {
          expect(array.length).toBe(lengths[k]);
          expect(array.every((v) => v === 0)).toBe(true);
          array.fill(k + 1);
        });
        arrays.forEach((array, k) => expect(array.every((v) => v === k + 1)).toBe(true));
      }),
      { seed: 20261126 },
    );
  });

  it('gives op outputs storage of their own: writing one result leaves the others alone', () => {
    const x = tensor([1, 2, 3]);
    const doubled = x.mul(2);
    const squared = x.square();
    doubled.data[0] = 100;
    expect(Array.from(squared.data)).toEqual([1, 4, 9]);
    expect(Array.from(x.data)).toEqual([1, 2, 3]);
  });
});
