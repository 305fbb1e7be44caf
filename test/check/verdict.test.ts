// A small, real error must not be excused as rounding noise because a tiny step happened to rank first;
// a correct op whose gradients are far below its output must not fail on truncation alone.
import { describe, expect, it } from 'vitest';
import { gradcheck } from '../../src/api.ts';
import { customOp, defineOp } from '../../src/index.ts';
import type { Tensor } from '../../src/index.ts';

describe('the inconclusive verdict', () => {
  it('does not excuse a 3e-6 error that a larger step shows plainly', async () => {
    const delta = 0.0000029999999999999937;
    const scale = customOp({
      name: 'scale',
      forward: (x, w) => x.mul(w),
      backward: (g, { inputs: [x, w] }) => {
        const gx = g.mul(w);
        gx.data[3] *= 1 + delta;
        return [gx, g.mul(x)];
      },
    });
    const report = await gradcheck(
      defineOp({
        // The name seeds the inputs: at these, the directional sweep ranks ε = 1e-10 first, a step
        // whose rounding noise is as large as the error.
        name: `scale × (1 + ${delta}) at 3`,
        inputs: { x: { shape: [2, 3, 1], low: -1, high: 1 }, w: { shape: [2, 3, 1], low: 0.5, high: 2 } },
        forward: ({ x, w }) => scale(x, w).sum(),
      }),
    );
    expect(report.status).toBe('fail');
    expect(report.verdict).toBeUndefined();
    expect(report.diagnoses.map((d) => d.code)).toContain('scaled');
  });

  it('does not pass a 3e-6 error at a step whose truncation error happens to cancel it', async () => {
    const delta = -0.000002986870713512672;
    const sigmoid = customOp({
      name: 'sigmoid',
      forward: (x) => x.sigmoid(),
      backward: (g, { output }) => {
        const gx = g.mul(output.mul(output.neg().add(1)));
        gx.data[0] *= 1 + delta;
        return [gx];
      },
    });
    const report = await gradcheck(
      defineOp({
        // At these inputs the centered difference's truncation error at ε = 1e-2 cancels the real one.
        name: `sigmoid × (1 + ${delta}) at 0`,
        inputs: { x: { shape: [1], low: -1, high: 1 }, w: { shape: [1], low: 0.5, high: 2 } },
        forward: ({ x, w }) => sigmoid(x).mul(w).sum(),
      }),
    );
    expect(report.inputs[0].sweep.find((p) => p.eps === 1e-2)!.relErr).toBeLessThan(1e-7);
    expect(report.status).toBe('fail');
    expect(report.inputs[0].relErr).toBeGreaterThan(2e-6);
  });

  it('passes a correct op whose central difference is off through truncation alone', async () => {
    // Gradients ~1e-6 of the output (sigmoid∘sigmoid is flat here): the centered difference at 1e-3
    // is 4e-6 off on most elements through truncation alone, and no step resolves 1e-7 beside the
    // output's rounding noise: inconclusive (a pass with a warning), never a failure.
    const smooth = (h: Tensor) => h.square().add(1).sqrt();
    const report = await gradcheck(
      defineOp({
        name: 'sqrt∘sigmoid∘sigmoid∘sqrt∘logSoftmax∘mean',
        inputs: { x: [4, 2, 4], y: [1, 4] },
        forward: ({ x, y }) => smooth(smooth(x.mul(y)).sigmoid().sigmoid()).logSoftmax(-1).mean(),
      }),
      { seed: 672 },
    );
    expect(report.status).toBe('pass');
    expect(report.verdict).toBe('inconclusive');
    // Nor are its smooth elements, whose slope changes fast, taken for kinks.
    expect(report.diagnoses).toHaveLength(1);
    expect(['inconclusive', 'noise-floor']).toContain(report.diagnoses[0].code);
  });
});

describe('an analytic gradient of exactly 0', () => {
  it('passes where f does not move at the small steps, though the large ones straddle a transition far steeper than themselves', async () => {
    // tanh(135 · 8 · y) with y = 0.0498: saturated at 1 to the last bit, so the gradient is exactly 0,
    // but steps of 0.05 and more reach past y = 0, where it jumps to −1. At this seed the check
    // looks at those steps, and used to call their jump a derivative the backward had lost.
    const op = defineOp({
      name: 'steep∘max∘sum 350 k=135',
      inputs: { x: { shape: [3, 1], values: [1, 1, 8] }, y: { shape: [3, 1], values: [1, 1, 0.0498429499566555] } },
      forward: ({ x, y }) => {
        const h = x.mul(y).mul(135).tanh();
        return h.max(-1, true).add(h).sum();
      },
    });
    const report = await gradcheck(op, { seed: 10534 });
    expect(report.status, JSON.stringify(report.diagnoses)).toBe('pass');
  });
});
