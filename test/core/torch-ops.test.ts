// Every new tensor op against torch float64: for each case of test/core/ops-cases.ts (each op alone
// over several shapes and axes, and inside composites), the output, the gradients of a fixed
// cotangent · output through the tape, and a Hessian-vector product through the recorded backward
// (backward with createGraph, then backward again), against torch.autograd.grad with
// create_graph=True, to 1e-12 relative. Also erf's accuracy on a dense grid. Needs torch (Debian's
// python3-torch); skips with the reason where it is absent.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tensor } from '../../src/core/index.ts';
import { findTorchPython } from '../bench/measure.ts';
import { CASES, NEW_OPS, cotangentOf, derivatives, opsIn, weightsOf, type Derivatives } from './ops-cases.ts';

const { python, why } = findTorchPython();
if (!python) console.log(`skipping the torch tests of the tensor ops: ${why}`);

const SCRIPT = join(import.meta.dirname, 'torch_ops.py');
const TOLERANCE = 1e-12;

interface TorchAnswer {
  cases?: { name: string; shape: number[]; output: number[]; gradients: number[][]; hvps: number[][] }[];
  erf?: number[];
}

function askTorch(request: object): TorchAnswer {
  return JSON.parse(execFileSync(python!, [SCRIPT], { input: JSON.stringify(request), encoding: 'utf8', maxBuffer: 64 << 20 })) as TorchAnswer;
}

/** Largest difference relative to the largest magnitude: one number for a whole array. */
function relativeDifference(ours: ArrayLike<number>, theirs: number[]): number {
  let difference = 0;
  let scale = 0;
  for (let i = 0; i < theirs.length; i++) {
    difference = Math.max(difference, Math.abs(ours[i] - theirs[i]));
    scale = Math.max(scale, Math.abs(ours[i]), Math.abs(theirs[i]));
  }
  return scale === 0 ? difference : difference / scale;
}

describe.skipIf(!python)('the tensor ops against torch float64', () => {
  // Computed while collecting, once: every case's numbers go to torch in one request.
  const ours = new Map<string, Derivatives>(python ? CASES.map((c) => [c.name, derivatives(c)]) : []);
  const answer = python
    ? askTorch({
      cases: CASES.map((c) => ({
        name: c.name, inputs: c.inputs, expr: c.expr, cotangent: cotangentOf(ours.get(c.name)!.output.length), weights: weightsOf(c),
      })),
    })
    : {};
  const theirs = new Map((answer.cases ?? []).map((t) => [t.name, t]));

  it('covers every new op, alone and inside a composite', () => {
    expect(new Set(CASES.map((c) => c.name)).size, 'case names are unique').toBe(CASES.length);
    for (const op of NEW_OPS) {
      expect(CASES.filter((c) => c.op === op && !c.composite).length, `${op}: cases of it alone`).toBeGreaterThanOrEqual(2);
      expect(CASES.some((c) => c.composite && opsIn(c.expr).includes(op)), `${op}: inside a composite`).toBe(true);
    }
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s: output, gradients and Hessian-vector products', (name, c) => {
    const mine = ours.get(name)!;
    const torch = theirs.get(name)!;
    expect(torch, 'torch answered this case').toBeDefined();
    expect(mine.shape, 'output shape').toEqual(torch.shape);
    expect(relativeDifference(mine.output, torch.output), 'output').toBeLessThan(TOLERANCE);
    c.inputs.forEach((input, k) => {
      if (!input.grad) return;
      expect(relativeDifference(mine.gradients[k], torch.gradients[k]), `gradient of input ${k}`).toBeLessThan(TOLERANCE);
      expect(relativeDifference(mine.hvps[k], torch.hvps[k]), `Hessian-vector product of input ${k}`).toBeLessThan(TOLERANCE);
    });
  });

  it('erf is within 1e-15 relative of torch.erf on a dense grid and at its region boundaries', () => {
    const grid = Array.from({ length: 4001 }, (_, i) => -8 + (16 * i) / 4000);
    const edges = [1, 2, 3, 6].flatMap((b) => [b, -b, b * (1 - 2 ** -52), b * (1 + 2 ** -52)]);
    const tiny = [1e-300, -1e-300, 1e-20, 1e-8, 5e-324, 0.1, 0.49999, 0.99999];
    const xs = [...grid, ...edges, ...tiny];
    const reference = askTorch({ erf: xs }).erf!;
    const mine = tensor(xs).erf().data;
    let worst = 0;
    xs.forEach((x, i) => {
      const error = reference[i] === 0 ? Math.abs(mine[i]) : Math.abs(mine[i] - reference[i]) / Math.abs(reference[i]);
      worst = Math.max(worst, error);
      if (error >= 1e-15) throw new Error(`erf(${x}): ${mine[i]}, torch ${reference[i]}, relative error ${error}`);
    });
    expect(worst).toBeLessThan(1e-15);
  });
});
