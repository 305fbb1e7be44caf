// Through the real CLI: every bundled broken example fails and names its bug; the new options parse.
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

describe('gradcheck run: diagnoses, --method, --order, --mode', () => {
  it('prints the diagnosis of every classic bug in examples/broken and exits 1', async () => {
    const { code, stdout } = await runCli(['run', 'examples/broken', '--json']);
    expect(code).toBe(1);
    const ops = JSON.parse(stdout).ops as { name: string; status: string; diagnoses: { code: string }[] }[];
    const byName = Object.fromEntries(ops.map((op) => [op.name, op]));
    const expected: Record<string, string> = {
      'detach() severs the graph': 'detached',
      'forgot zero_grad': 'accumulated',
      'gelu (0.1% off)': 'mismatch',
      'dW = dYᵀ @ X': 'transposed',
      'dW = dY @ X.T': 'mismatch',
      '= instead of +=': 'overwritten',
    };
    for (const [name, diagnosis] of Object.entries(expected)) {
      expect(byName[name]?.status, name).toBe('fail');
      expect(byName[name].diagnoses.map((d) => d.code), name).toContain(diagnosis);
    }
    const table = await runCli(['run', 'examples/broken/matmul-transposed.ts']);
    expect(table.stdout).toMatch(/⚠ transposed \(w\): the analytic gradient of 'w' equals the numeric one transposed/);
    const order = await runCli(['run', 'examples/broken/matmul-operand-order.ts']);
    expect(order.stdout).toMatch(/'w' is square \[4, 4\]: if it is a matmul operand, check the order of the operands/);
  });

  it('accepts --method, --order and --mode and reports what ran', async () => {
    const { code, stdout } = await runCli(['run', 'examples/sigmoid.ts', '--method', 'richardson', '--order', '2', '--mode', 'fast', '--json']);
    expect(code).toBe(0);
    const ops = JSON.parse(stdout).ops as { status: string; mode: string; order?: number; method?: string }[];
    for (const op of ops) expect(op).toMatchObject({ status: 'pass', mode: 'fast', order: 2, method: 'richardson' });
    const bad = await runCli(['run', 'examples/sigmoid.ts', '--method', 'simpson']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--method/);
  });
});
