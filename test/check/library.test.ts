// gradcheck(op), the library's entry point: a wrong gradient fails and the report names the input
// and its worst element; the same seed gives the same report, another seed other inputs.
import { describe, expect, it } from 'vitest';
import { defineOp, gradcheck } from '../../src/index.ts';

describe('gradcheck(op)', () => {
  it('fails a wrong gradient, naming the input and its worst element', async () => {
    const report = await gradcheck(
      defineOp({
        name: 'y detached in one term',
        inputs: { x: [5], y: [5] },
        forward: ({ x, y }) => x.mul(y).add(y.detach().square()),
      }),
    );
    expect(report.status).toBe('fail');
    expect(report.inputs.map((input) => input.passed)).toEqual([true, false]);
    const y = report.inputs[1];
    expect(y.relErr).toBeGreaterThan(1e-3);
    expect(report.maxRelErr).toBe(y.relErr);
    expect(y.worst.index).toHaveLength(1);
    expect(Math.abs(y.worst.analytic - y.worst.numeric)).toBeGreaterThan(1e-3);
  });

  it('is reproducible: the same seed gives the same numbers, another seed other inputs', async () => {
    const op = defineOp({ name: 'mlp', inputs: { x: [2, 3], w: [3, 2] }, forward: ({ x, w }) => x.matmul(w).tanh().sum() });
    const strip = (r: Awaited<ReturnType<typeof gradcheck>>) => ({ ...r, elapsedMs: 0 });
    const first = await gradcheck(op, { seed: 3 });
    expect(strip(await gradcheck(op, { seed: 3 }))).toEqual(strip(first));
    const other = await gradcheck(op, { seed: 4 });
    expect(other.inputs[0].worst.analytic).not.toBe(first.inputs[0].worst.analytic);
  });
});

describe('the library as the CLI plans a run', () => {
  const square = (factor: number, extra: object) =>
    defineOp({ name: `x² with ${factor}x`, inputs: { x: [3] }, evaluate: ({ x }) => x.reduce((a, b) => a + b * b, 0), vjp: ({ x }, [c]) => ({ x: x.map((v) => factor * v * c) }), ...extra });

  it("gradcheck(op) skips an op marked skip and parks one marked expect: 'fail', as `run` does", async () => {
    expect(await gradcheck(square(2, { skip: 'later' }))).toMatchObject({ status: 'skipped', skip: 'later', evaluations: 0 });
    const parked = await gradcheck(square(3, { expect: 'fail' }));
    expect(parked).toMatchObject({ status: 'pass', expect: 'fail', outcome: 'fail' });
    expect(parked.diagnoses.map((d) => d.code)).toContain('scaled');
    const fixed = await gradcheck(square(2, { expect: 'fail' }));
    expect(fixed).toMatchObject({ status: 'fail', expect: 'fail', outcome: 'pass' });
    expect(fixed.diagnoses.map((d) => d.code)).toEqual(['unexpected-pass']);
    // A broken spec is no verdict on the gradient: an error whatever the op expects.
    expect(await gradcheck(square(3, { expect: 'fail', inputs: { x: [-1] } }))).toMatchObject({ status: 'error' });
  });

  it('checkFiles hands each file over as soon as it is checked, in order (onFile)', async () => {
    const { checkFiles } = await import('../helpers/in-process.ts');
    const seen: string[] = [];
    const report = await checkFiles(['examples/tanh.ts', 'examples/sigmoid.ts'], { onFile: ({ file, reports }) => seen.push(`${file}: ${reports.map((op) => op.name).join(', ')}`) });
    expect(seen).toEqual(['examples/tanh.ts: tanh', 'examples/sigmoid.ts: sigmoid, softplus']);
    expect(report.ops).toHaveLength(3);
  });
});
