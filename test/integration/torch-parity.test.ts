// The benchmark compares gradcheck with torch.autograd.gradcheck "on the same seven ops": this proves
// they are the same functions. At the inputs gradcheck draws, torch computes each op's output and the
// gradients of a fixed cotangent · output; gradcheck's tape must give the same numbers. Needs torch
// (Debian's python3-torch, which .ci/run installs); skips with the reason where it is absent.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createProblem } from '../../src/check/problem.ts';
import { materializeInputs } from '../../src/spec/inputs.ts';
import { findTorchPython, loadBenchOps } from '../bench/measure.ts';

const { python, why } = findTorchPython();
if (!python) console.log(`skipping the torch parity test: ${why}`);

const PEER = join(import.meta.dirname, '../bench/torch_peer.py');

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

describe('the benchmark ops against torch', () => {
  it.skipIf(!python)('have the same outputs and the same gradients, to 1e-12', { timeout: 120_000 }, async () => {
    const ops = await loadBenchOps();
    const ours = ops.map((op) => {
      const inputs = materializeInputs(op, 0);
      const problem = createProblem(op, inputs);
      const output = Float64Array.from(problem.evaluate());
      const cotangent = output.map((_, i) => Math.cos(i + 1));
      return { op, inputs, output, cotangent, gradients: problem.vjp(cotangent) };
    });
    const request = {
      ops: ours.map(({ op, inputs, cotangent }) => ({ name: op.name, inputs: inputs.map((input) => Array.from(input.data)), cotangent: Array.from(cotangent) })),
    };
    const answer = JSON.parse(execFileSync(python!, [PEER, '--parity'], { input: JSON.stringify(request), encoding: 'utf8', maxBuffer: 64 << 20 })) as {
      ops: { name: string; output: number[]; gradients: number[][] }[];
    };
    expect(answer.ops.map((op) => op.name)).toEqual(ops.map((op) => op.name));
    ours.forEach(({ op, inputs, output, gradients }, k) => {
      const theirs = answer.ops[k];
      expect(theirs.output.length, `${op.name}: output size`).toBe(output.length);
      expect(relativeDifference(output, theirs.output), `${op.name}: output`).toBeLessThan(1e-12);
      inputs.forEach((input, j) => {
        expect(gradients[j], `${op.name}: gradient of '${input.name}'`).not.toBeNull();
        expect(relativeDifference(gradients[j]!, theirs.gradients[j]), `${op.name}: gradient of '${input.name}'`).toBeLessThan(1e-12);
      });
    });
  });
});
