// False verdicts on what users bring, through the real CLI where a user would see them: inputs
// that take no gradient, steps too small to move an input, wrong-shaped gradients, accumulating
// backwards, and the customOp whose backward is wrong inside a network.
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

interface JsonInput { name: string; passed: boolean; constant?: true; relErr: number | null; convergence?: { order: number } }
interface JsonOp { name: string; status: string; maxRelErr: number | null; tolerance: number; error?: string; diagnoses: { code: string; message: string; input?: string }[]; inputs: JsonInput[]; primitives?: { name: string; file?: string; line?: number; status: string }[] }

const json = async (args: string[], env: Record<string, string> = {}) => {
  const result = await runCli([...args, '--json'], { env });
  return { code: result.code, ops: (JSON.parse(result.stdout) as { ops: JsonOp[] }).ops, stderr: result.stderr };
};

describe('inputs that take no gradient', { concurrent: true }, () => {
  it('pass with integer ids, drawn integer indices and a constant target, and their 0.1%-off twins fail', async () => {
    const { code, ops } = await json(['run', 'test/fixtures/inputs/constants.ts']);
    expect(code).toBe(1);
    const status = Object.fromEntries(ops.map((op) => [op.name, op.status]));
    expect(status).toEqual({
      'embedding with integer ids': 'pass',
      'embedding with integer ids, 0.1% off': 'fail',
      'gather with drawn indices': 'pass',
      'engine with a constant target': 'pass',
      'engine with a constant target, 0.1% off': 'fail',
      'gather with drawn indices, 0.1% off': 'fail',
    });
    for (const op of ops) {
      const constant = op.inputs.find((input) => input.constant);
      expect(constant, op.name).toBeDefined();
      expect(constant!.passed).toBe(true);
      if (op.status === 'fail') expect(op.maxRelErr!).toBeGreaterThan(9e-4);
      else expect(op.maxRelErr!).toBeLessThanOrEqual(op.tolerance);
    }
  });

  it('shows a constant as such in the table', async () => {
    const { stdout } = await runCli(['run', 'test/fixtures/inputs/constants.ts', '--op', 'embedding with integer ids']);
    expect(stdout).toMatch(/│ ids\s+│ \[6\]\s+│ —\s+│ —\s+│ —\s+│ —\s+│ —\s+│ constant │/);
  });
});

describe('steps', { concurrent: true }, () => {
  it('refuses --eps 1e-20, which moves no input: exit 2, one line naming the op and the input', async () => {
    const { code, stdout } = await runCli(['run', 'examples/tanh.ts', '--eps', '1e-20']);
    expect(code).toBe(2);
    expect(stdout).toContain("examples/tanh.ts:10: op 'tanh': no step can check input 'x': at ε = 1e-20, x + h and x − h are the same number");
  });

  it('skips a step that moves no input, with a note, and checks at the others', async () => {
    const { code, ops } = await json(['run', 'examples/tanh.ts', '--eps', '1e-20,1e-5']);
    expect(code).toBe(0);
    expect(ops[0].status).toBe('pass');
    expect(ops[0].diagnoses).toEqual([expect.objectContaining({ code: 'step-skipped', input: 'x' })]);
  });
});

describe('wrong gradients the backward did return', { concurrent: true }, () => {
  it('fails a custom backward that returns the transposed shape of a non-square input (exit 1, not 2)', async () => {
    const { code, ops } = await json(['run', 'test/fixtures/inputs/transposed-shape.ts']);
    expect(code).toBe(1);
    expect(ops[0].status).toBe('fail');
    expect(ops[0].diagnoses[0]).toMatchObject({ code: 'transposed', input: 'w' });
  });

  it('puts an accumulating backward above the tolerance in maxRelErr and in its input row', async () => {
    const { code, ops } = await json(['run', 'examples/broken/forgot-zero-grad.ts']);
    expect(code).toBe(1);
    expect(ops[0].maxRelErr!).toBeGreaterThan(ops[0].tolerance);
    expect(ops[0].inputs.find((input) => input.name === 'w')).toMatchObject({ passed: false, relErr: 0.5 });
    expect(ops[0].diagnoses.map((d) => d.code)).toContain('accumulated');
  });
});

describe('the order of convergence', { concurrent: true }, () => {
  it('sweep says a correct gradient\'s error falls as ε² and a wrong one\'s stops falling', async () => {
    const { stdout } = await runCli(['sweep', 'examples/tanh.ts', 'examples/broken/gelu-constant.ts']);
    const verdicts = stdout.split('\n').filter((line) => line.startsWith('→'));
    expect(verdicts).toHaveLength(2);
    expect(verdicts[0]).toMatch(/the error falls as ε\^(1\.[6-9]|2\.[0-4]) over ε from .* as a correct gradient's does/);
    expect(verdicts[1]).toMatch(/the error stops falling with the step \(order -?0\.\d .*\): the gradient is wrong, not the step/);
  });

  it('a failure message says how the error fell with the step', async () => {
    const { ops } = await json(['run', 'examples/broken/gelu-constant.ts']);
    const input = ops[0].inputs[0];
    expect(input.convergence!.order).toBeLessThan(0.5);
    expect(ops[0].diagnoses[0].message).toMatch(/Along a random direction the error stops falling with the step/);
  });
});

describe('the guilty primitive', () => {
  it('names the one customOp of three whose backward is wrong, with its call site', async () => {
    const [{ code, ops }, { stdout }] = await Promise.all([json(['run', 'test/fixtures/primitives/layers.ts']), runCli(['run', 'test/fixtures/primitives/layers.ts'])]);
    expect(code).toBe(1);
    const [op] = ops;
    expect(op.primitives!.map((p) => [p.name, p.status])).toEqual([
      ["customOp 'linear'", 'pass'],
      ["customOp 'gelu'", 'fail'],
      ["customOp 'linear'", 'pass'],
      ["customOp 'softplus'", 'pass'],
    ]);
    expect(op.primitives![1]).toMatchObject({ file: 'test/fixtures/primitives/layers.ts', line: 33 });
    expect(stdout).toContain("⚠ culprit: checked alone at the inputs it saw, under a random cotangent, this backward is wrong: customOp 'gelu' at test/fixtures/primitives/layers.ts:33, input 'x': scaled 0.10% too large");
  });
});
