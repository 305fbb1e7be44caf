// Each diagnosis on purpose-built ops: one through customOp, one through evaluate/vjp. And the
// other side: correct ops (zero gradients, kinks at valid subgradients, large inputs) never fail.
import { describe, expect, it } from 'vitest';
import { checkOp } from '../../src/check/check-op.ts';
import type { Op } from '../../src/spec/define.ts';
import type { OpReport } from '../../src/model/report.ts';
import * as ops from '../fixtures/diagnoses/ops.ts';
import { defineOp } from '../../src/index.ts';

const codes = (report: OpReport) => report.diagnoses.map((d) => d.code);

function failsWith(op: Op, code: string, input?: string): OpReport {
  const report = checkOp(op, { mode: 'element-wise' });
  expect(report.status, `${op.name}: ${JSON.stringify(report.diagnoses)}`).not.toBe('pass');
  expect(codes(report)).toContain(code);
  const diagnosis = report.diagnoses.find((d) => d.code === code)!;
  if (input) expect(diagnosis.input).toBe(input);
  return report;
}

describe('diagnoses name the bug', () => {
  it('detached: an exactly-zero gradient where finite differences see one', () => {
    for (const op of [ops.detachedCustom, ops.detachedEngine]) {
      const report = failsWith(op, 'detached', 'w');
      expect(report.diagnoses[0].message).toMatch(/exactly 0 on every one of its \d+ elements/);
    }
  });

  it('transposed: the analytic gradient is the numeric one transposed', () => {
    for (const op of [ops.transposedCustom, ops.transposedEngine]) {
      const report = failsWith(op, 'transposed', 'w');
      expect(report.inputs.find((r) => r.name === 'x')!.passed).toBe(true);
    }
  });

  it('transposed: a custom backward that returns the transposed shape is a wrong gradient that says so', () => {
    const report = checkOp(ops.transposedShapeCustom);
    expect(report.status).toBe('fail');
    expect(report.maxRelErr).toBeGreaterThan(report.tolerance);
    expect(report.inputs).toEqual([expect.objectContaining({ name: 'w', shape: [3, 5], passed: false })]);
    expect(report.diagnoses).toEqual([expect.objectContaining({ code: 'transposed', input: 'w' })]);
    expect(report.diagnoses[0].message).toMatch(/\[5, 3\].*\[3, 5\]/);
  });

  it('accumulated: a backward that keeps its result between passes, whether it starts from zero or from earlier passes', () => {
    for (const op of [ops.accumulatedCustom, ops.accumulatedEngine]) {
      const report = failsWith(op, 'accumulated', 'x');
      expect(report.diagnoses[0].message).toMatch(/gradients accumulate across passes \(forgot zero_grad\?\)/);
    }
  });

  it('overwritten: a clean fraction 1/k of the numeric gradient, from an engine that may use the input k times', () => {
    const report = failsWith(ops.overwrittenEngine, 'overwritten', 'x');
    expect(report.diagnoses[0].message).toMatch(/1\/3/);
    expect(report.diagnoses[0].message).toMatch(/If 'x' is used only once, a factor 3 is missing instead/);
  });

  it('scaled, not overwritten: 1/2 of the gradient of an input the tape shows used once', () => {
    // x·x computed inside one customOp: on the tape x feeds the computation once, so nothing could
    // have been overwritten; the backward misses the 2 of d(x²)/dx.
    const report = failsWith(ops.overwrittenCustom, 'scaled', 'x');
    expect(report.diagnoses[0].message).toMatch(/1\/2 of the numeric one .* feeds the computation once: a factor 2 is missing/);
  });

  it('scaled: one constant ratio ≠ 1 across the input, down to 0.1%', () => {
    expect(failsWith(ops.scaledCustom, 'scaled', 'x').diagnoses[0].message).toMatch(/20× the numeric one/);
    expect(failsWith(ops.scaledEngine, 'scaled', 'x').diagnoses[0].message).toMatch(/0\.10% too small/);
  });

  it('sign-flipped: analytic ≈ −numeric', () => {
    const custom = failsWith(ops.signFlippedCustom, 'sign-flipped', 'b');
    expect(custom.inputs.find((r) => r.name === 'a')!.passed).toBe(true);
    failsWith(ops.signFlippedEngine, 'sign-flipped', 'x');
  });

  it('non-differentiable: an analytic value outside the one-sided slopes at a kink fails', () => {
    expect(failsWith(ops.kinkInvalidCustom, 'non-differentiable', 'x').diagnoses[0].message).toMatch(/outside \[0, 1\]/);
    expect(failsWith(ops.kinkInvalidEngine, 'non-differentiable', 'x').diagnoses[0].message).toMatch(/outside \[-1, 1\]/);
  });

  it('non-differentiable: a valid subgradient at a kink passes with a warning', () => {
    for (const op of [ops.kinkValidCustom, ops.kinkValidEngine, ops.builtinRelu, ops.maxTie]) {
      const report = checkOp(op, { mode: 'element-wise' });
      expect(report.status, op.name).toBe('pass');
      expect(codes(report)).toEqual(['non-differentiable']);
      expect(report.diagnoses[0].message).toMatch(/valid subgradient/);
    }
  });

  it('an element within the step of a kink is refined at smaller steps: it passes, and is no kink', () => {
    const op = defineOp({ name: 'abs beside 0', inputs: { x: { shape: [2], values: [-1e-5, 0.3] } }, forward: ({ x }) => x.abs().square().add(x.abs()).sum() });
    const report = checkOp(op, { mode: 'element-wise', eps: [1e-4] });
    expect(report.status).toBe('pass');
    expect(report.verdict).toBeUndefined();
    expect(codes(report)).toEqual([]);
    // d/dx (x² + |x|) at −1e-5 is 2x − 1: the value shown is the refined one, not the kink-straddling 1e-4 step's.
    const [x] = report.inputs;
    expect(x.refined).toBe(1);
    expect(x.relErr).toBeLessThan(1e-9);
  });

  it('noise-floor: a float32 computation cannot reach 1e-7: inconclusive, not a failure, and how far it can get', () => {
    for (const op of [ops.noiseFloorCustom, ops.noiseFloorEngine]) {
      const report = checkOp(op, { mode: 'element-wise' });
      expect(report.status).toBe('pass');
      expect(report.verdict).toBe('inconclusive');
      expect(codes(report)).toEqual(['noise-floor']);
      expect(report.diagnoses[0].message).toMatch(/rounding noise, about \S+ per evaluation, \S+ of the output \(float32 rounding/);
      expect(report.diagnoses[0].message).toMatch(/--tol \S+/);
      expect(codes(report)).not.toContain('mismatch');
    }
  });

  it('noise-floor: a float32 computation with a real bug still fails as a bug', () => {
    const report = checkOp(ops.scaledFloat32Engine, { mode: 'element-wise' });
    expect(report.status).toBe('fail');
    expect(report.verdict).toBeUndefined();
    expect(codes(report)).toEqual(['scaled']);
  });

  it('non-finite: NaN or Infinity in a gradient, with where it first appears', () => {
    const custom = failsWith(ops.nonFiniteCustom, 'non-finite', 'x');
    expect(custom.status).toBe('fail');
    expect(custom.diagnoses[0].message).toMatch(/Infinity at \[0\]/);
    expect(failsWith(ops.nonFiniteEngine, 'non-finite', 'x').diagnoses[0].message).toMatch(/NaN at \[2\]/);
  });

  it('non-finite: a forward that is NaN at the drawn inputs is an error with the diagnosis', () => {
    const report = checkOp(ops.nonFiniteForward);
    expect(report.status).toBe('error');
    expect(codes(report)).toEqual(['non-finite']);
    expect(report.diagnoses[0].message).toMatch(/NaN at \[1\]/);
  });
});

describe('correct ops get no failing diagnosis', () => {
  it.each([
    ['zero gradient', ops.zeroGradient],
    ['large inputs', ops.largeInputs],
  ])('%s passes without diagnoses', (_label, op) => {
    const report = checkOp(op, { mode: 'element-wise' });
    expect(report.status).toBe('pass');
    expect(report.diagnoses).toEqual([]);
  });

  it('abs at exactly 0, which the centered difference cannot see (both sides cancel), passes with the kink warning relu at 0 gets', () => {
    const report = checkOp(ops.absAtZero, { mode: 'element-wise' });
    expect(report.status).toBe('pass');
    expect(codes(report)).toEqual(['non-differentiable']);
    expect(report.diagnoses[0].message).toMatch(/sits? on a kink.*slope is -1 from the left and 1 from the right.*valid subgradient/);
  });
});
