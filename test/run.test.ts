// `gradcheck run` end to end, through the real CLI: exit codes, the JSON document, the table.
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.ts';

const examples = readdirSync('examples').filter((f) => f.endsWith('.ts')).map((f) => join('examples', f));

describe('gradcheck run', () => {
  it('passes every bundled example and exits 0', async () => {
    const { code, stdout } = await runCli(['run', ...examples, '--json']);
    const report = JSON.parse(stdout);
    expect(code).toBe(0);
    expect(report.passed).toBe(true);
    expect(report.ops.length).toBeGreaterThanOrEqual(8);
    for (const op of report.ops) {
      expect(op.status, `${op.file} › ${op.name}`).toBe('pass');
      expect(op.maxRelErr).toBeLessThanOrEqual(1e-7);
    }
    const names = report.ops.map((op: { name: string }) => op.name);
    for (const name of ['tanh', 'sigmoid', 'matmul', 'softmax + cross-entropy', 'layer norm', 'two-layer MLP', 'attention', 'micrograd neuron']) {
      expect(names).toContain(name);
    }
  });

  it('writes the documented JSON shape', async () => {
    const { stdout } = await runCli(['run', 'examples/matmul.ts', '--json', '--seed', '7', '--tol', '1e-6']);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ passed: true, tolerance: 1e-6, seed: 7 });
    const [op] = report.ops;
    expect(op).toMatchObject({ file: 'examples/matmul.ts', name: 'matmul', status: 'pass', diagnoses: [] });
    expect(typeof op.elapsedMs).toBe('number');
    expect(typeof op.maxRelErr).toBe('number');
    expect(op.line).toBe(12);
    const [x, w] = op.inputs;
    expect(x).toMatchObject({ name: 'x', shape: [16, 32], passed: true });
    expect(w.shape).toEqual([32, 8]);
    expect(x.worst.index).toHaveLength(2);
    expect(typeof x.worst.analytic).toBe('number');
    expect(x.sweep.length).toBe(12);
    expect(x.sweep[0]).toEqual({ eps: 0.1, relErr: expect.any(Number) });
    expect(x.sweep.map((p: { eps: number }) => p.eps)).toContain(x.bestEps);
  });

  it('fails every classic bug in examples/broken and exits 1', async () => {
    const { code, stdout } = await runCli(['run', 'examples/broken', '--json']);
    const report = JSON.parse(stdout);
    expect(code).toBe(1);
    expect(report.passed).toBe(false);
    expect(report.ops.length).toBe(6);
    for (const op of report.ops) expect(op.status, op.name).toBe('fail');
  });

  it('prints a table per op with the failing input flagged, and a summary', async () => {
    const { stdout } = await runCli(['run', 'examples/broken/detach.ts']);
    expect(stdout).toMatch(/FAIL\s+detach\(\) severs the graph/);
    expect(stdout).toMatch(/│ w\s+│ \[6, 3\]\s+│ [^│]+│ 1\.0e0\s+│.*FAIL/);
    expect(stdout).toMatch(/1 op in 1 file: 0 passed, 1 failed, 0 errors/);
    expect(stdout).not.toMatch(/\u001b\[/); // no colour when not a terminal
  });

  it('says in the table how an op was checked when it was not the plain element-wise check', async () => {
    const { stdout } = await runCli(['run', 'examples/tanh.ts', '--mode', 'fast', '--order', '2', '--method', 'five-point']);
    expect(stdout).toMatch(/PASS\s+tanh .* fast mode \(uᵀJv\), order 2, five-point/);
    expect(stdout).toMatch(/^ {2}uᵀJv, all inputs at once: rel\. error .*\n {2}inputs: x \[64\]$/m);
  });

  it('catches a backward that is off by 0.1%', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradcheck-run-'));
    const file = join(dir, 'off.ts');
    writeFileSync(
      file,
      `import { customOp, defineOp } from 'gradcheck';
const tanh = customOp({ name: 'tanh', forward: (x) => x.tanh(),
  backward: (grad, { output }) => [grad.mul(output.square().neg().add(1)).mul(1.001)] });
export default defineOp({ name: 'tanh 0.1% off', inputs: { x: [16] }, forward: ({ x }) => tanh(x) });
`,
    );
    const { code, stdout } = await runCli(['run', file, '--json']);
    expect(code).toBe(1);
    const [op] = JSON.parse(stdout).ops;
    expect(op.maxRelErr).toBeGreaterThan(5e-4);
    expect(op.maxRelErr).toBeLessThan(2e-3);
  });

  it('still reports a good file when another cannot load, and exits 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradcheck-run-'));
    writeFileSync(join(dir, 'empty.ts'), 'export const nothing = 1;\n');
    const { code, stdout } = await runCli(['run', join(dir, 'empty.ts'), 'examples/tanh.ts', '--json']);
    const report = JSON.parse(stdout);
    expect(code).toBe(2);
    expect(report.ops.map((op: { status: string }) => op.status)).toEqual(['error', 'pass']);
    expect(report.ops[0].error).toMatch(/no defineOp export in .*empty\.ts/);
  });

  it('--op runs only the named op: another op in the file that never returns is not even started', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradcheck-run-'));
    const file = join(dir, 'two.ts');
    writeFileSync(
      file,
      `import { defineOp } from 'gradcheck';
export const spins = defineOp({ name: 'spins', inputs: { x: [2] }, forward: ({ x }) => { for (;;) {} } });
export const fine = defineOp({ name: 'fine', inputs: { x: [2] }, forward: ({ x }) => x.tanh() });
`,
    );
    // --timeout 0: were 'spins' started, this run would never end.
    const { code, stdout } = await runCli(['run', file, '--op', 'fine', '--timeout', '0', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).ops.map((op: { name: string; status: string }) => `${op.name}: ${op.status}`)).toEqual(['fine: pass']);
  });

  it('expands a directory to the op files under it', async () => {
    const { stdout } = await runCli(['run', 'examples', '--json']);
    const files = new Set(JSON.parse(stdout).ops.map((op: { file: string }) => op.file));
    expect(files).toContain('examples/tanh.ts');
    expect(files).toContain('examples/broken/detach.ts');
  });

  it('exits 2 with one line and a usage hint for a missing file, an unknown flag or a bad value', async () => {
    for (const args of [['run', 'no-such-file.ts'], ['run', 'examples/tanh.ts', '--frobnicate'], ['run', 'examples/tanh.ts', '--tol', 'abc']]) {
      const { code, stderr, stdout } = await runCli(args);
      expect(code, args.join(' ')).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/gradcheck --help/);
      expect(stderr.trim().split('\n')[0]).toMatch(/no such file|unknown option|positive number/);
    }
  });

  it('answers --help and --version with exit 0', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: gradcheck/);
    const version = await runCli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
