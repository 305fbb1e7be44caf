// Errors the library API reports in-process (gradcheck(op)), without the CLI around it.
import { describe, expect, it } from 'vitest';
import { gradcheck } from '../../src/api.ts';
import { defineOp } from '../../src/index.ts';

describe('an input too large to check element-wise', () => {
  it('is refused in element-wise mode, saying how large and suggesting --mode fast', async () => {
    // The op of test/fixtures/bad/too-large.ts, the op file to see this from the CLI.
    const huge = defineOp({ name: 'too large', inputs: { x: [2000, 1000] }, forward: ({ x }) => x.sum() });
    const report = await gradcheck(huge, { mode: 'element-wise' });
    expect(report.status).toBe('error');
    expect(report.error).toBe(
      "too large to check element-wise: 2,000,000 input elements (input 'x' has 2,000,000, shape [2000, 1000]) would take 4,000,000 forward evaluations; the limit is 1,000,000 elements: use --mode fast",
    );
  });

  it('refuses an input too large to hold at all, in any mode', async () => {
    const op = defineOp({ name: 'vast', inputs: { x: [100_000, 100_000] }, forward: ({ x }) => x.sum() });
    const report = await gradcheck(op, { mode: 'fast' });
    expect(report.error).toBe("input 'x': shape [100000, 100000] has 1.0e10 elements, more than gradcheck holds in one input (1e8)");
  });
});

describe('spec fields defineOp accepted without looking', () => {
  it.each([
    [{ name: '', inputs: { x: [2] }, forward: (): null => null }, '`name` must be a non-empty string'],
    [{ name: 'n', inputs: { x: [2] }, tolerance: Number.NaN, forward: (): null => null }, '`tolerance` must be a positive finite number, got NaN'],
    [{ name: 'n', inputs: { x: [2] }, tolerance: 'big', forward: (): null => null }, "`tolerance` must be a positive finite number, got 'big'"],
    [{ name: 'n', inputs: { x: [2] }, nondetTolerance: -1, forward: (): null => null }, '`nondetTolerance` must be a positive finite number, got -1'],
    [{ name: 'n', inputs: {}, forward: (): null => null }, '`inputs` is empty: an op needs at least one input to differentiate'],
  ])('%j', async (spec, message) => {
    const report = await gradcheck(defineOp(spec as never));
    expect(report.status).toBe('error');
    expect(report.error).toBe(message);
  });
});
