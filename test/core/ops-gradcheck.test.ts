// The new tensor ops through the public API, as a user's op file writes them: imported from the
// package's entry point, composed in defineOp forwards, and checked by gradcheck itself at order 1
// and 2 (the second order differentiates the backward recorded with createGraph).
import { describe, expect, it } from 'vitest';
import { concat, defineOp, gradcheck, stack, tensor, where } from '../../src/index.ts';

const OPS = [
  defineOp({
    name: 'element-wise and logsumexp', inputs: { x: [3, 4], y: [3, 4] },
    forward: ({ x, y }) => x.sin().mul(y.cos()).add(x.mul(0.3).tan()).erf().log1p().expm1().logsumexp(1),
  }),
  defineOp({ name: 'scans and clamp', inputs: { x: [2, 5] }, forward: ({ x }) => x.cumprod(1).add(x.cumsum(-1)).clamp(-3, 3) }),
  defineOp({
    name: 'movement', inputs: { x: [2, 3], y: [2, 3] },
    forward: ({ x, y }) => concat([x.pad([[1, 0], [0, 1]]).narrow(0, 0, 2), stack([x, y], 2).unsqueeze(0).squeeze().reshape([2, 6]).flip(1)], 1).mul(x.sum()),
  }),
  defineOp({
    name: 'selection', inputs: { x: [3, 5], y: [5] },
    forward: ({ x, y }) => x.mul(y).sort(1).topk(3).maximum(y.narrow(0, 0, 3).square()).min(0)
      .mul(where(tensor([1, 0, 1]), y.narrow(0, 1, 3), x.split(2)[1].sum(0).narrow(0, 0, 3))),
  }),
];

describe('gradcheck checks ops built from the new tensor ops', () => {
  it.each(OPS.flatMap((op) => ([1, 2] as const).map((order) => [op.name, order, op] as const)))('%s at order %d', async (_, order, op) => {
    // The drawn point only: at wide points tan(0.3x) reaches its poles, where log1p(erf) gives a NaN gradient through 0·∞.
    const report = await gradcheck(op, { order, explore: 0 });
    expect(report.error).toBeUndefined();
    expect(report.status, JSON.stringify(report.diagnoses)).toBe('pass');
  });
});
