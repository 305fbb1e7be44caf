// init, list, globs in file arguments, and gradcheck.config.ts, through the real CLI.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gradcheck } from '../report/cli.ts';
import { expandGlob, segmentMatcher } from '../../src/cli/glob.ts';

const scratch = () => mkdtempSync(join(tmpdir(), 'gradcheck-commands-'));

describe('gradcheck init', { concurrent: true, timeout: 60_000 }, () => {
  it('writes an op file that passes as written, and never overwrites one', async () => {
    const dir = scratch();
    const created = await gradcheck(['init'], { cwd: dir });
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('wrote my-op.ts');
    const source = readFileSync(join(dir, 'my-op.ts'), 'utf8');
    expect(source).toContain('customOp(');
    expect(source).toContain('backward:');
    const run = await gradcheck(['run', 'my-op.ts', '--json'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).ops.map((op: { name: string; status: string }) => `${op.name}: ${op.status}`)).toEqual(['softplus: pass', 'weighted softplus: pass']);
    const again = await gradcheck(['init', 'my-op.ts'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('my-op.ts already exists');
    expect(readFileSync(join(dir, 'my-op.ts'), 'utf8')).toBe(source);
  });
});

describe('gradcheck list and globs', { concurrent: true, timeout: 60_000 }, () => {
  it('lists the ops with their input shapes, from a glob the shell left unexpanded', async () => {
    const { code, stdout } = await gradcheck(['list', 'examples/m*.ts']);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toContain('examples/mlp.ts');
    expect(lines).toContain('  two-layer MLP  x [4, 16], w1 [16, 32], b1 [32], w2 [32, 10]  (line 4)');
    expect(stdout).toContain('examples/matmul.ts');
    expect(stdout).not.toContain('tanh');
    const json = await gradcheck(['list', 'examples/**/t*.ts', '--json']);
    expect(JSON.parse(json.stdout).files).toEqual([{ file: 'examples/tanh.ts', ops: [{ name: 'tanh', line: 10, inputs: [{ name: 'x', shape: [64] }] }] }]);
  });

  it('says so when a glob matches nothing', async () => {
    const { code, stderr } = await gradcheck(['run', 'examples/*.py']);
    expect(code).toBe(2);
    expect(stderr).toContain("no files match 'examples/*.py'");
  });

  it('matches *, ? and ** like a shell', () => {
    const dir = scratch();
    mkdirSync(join(dir, 'a', 'b'), { recursive: true });
    mkdirSync(join(dir, 'node_modules'));
    mkdirSync(join(dir, '.hidden'));
    for (const file of ['x.ts', 'y.ts', 'xy.js', 'a/z.ts', 'a/b/w.ts', 'node_modules/n.ts', '.hidden/h.ts']) writeFileSync(join(dir, file), '');
    expect(expandGlob(`${dir}/*.ts`)).toEqual([`${dir}/x.ts`, `${dir}/y.ts`]);
    expect(expandGlob(`${dir}/?.ts`)).toEqual([`${dir}/x.ts`, `${dir}/y.ts`]);
    expect(expandGlob(`${dir}/**/*.ts`)).toEqual([`${dir}/a/b/w.ts`, `${dir}/a/z.ts`, `${dir}/x.ts`, `${dir}/y.ts`]);
    expect(expandGlob(`${dir}/a/**`)).toEqual([`${dir}/a`, `${dir}/a/b`]);
    expect(segmentMatcher('op.*').test('op.ts')).toBe(true);
    expect(segmentMatcher('op.*').test('opxts')).toBe(false);
    expect(expandGlob('plain/path.ts')).toEqual(['plain/path.ts']);
  });
});

describe('gradcheck.config.ts', { concurrent: true, timeout: 60_000 }, () => {
  const project = (config: string) => {
    const dir = scratch();
    mkdirSync(join(dir, 'ops'));
    writeFileSync(join(dir, 'ops', 'cube.ts'), "import { defineOp } from 'gradcheck';\nexport default defineOp({ name: 'cube', inputs: { x: [3] }, forward: ({ x }) => x.pow(3).sum() });\n");
    writeFileSync(join(dir, 'gradcheck.config.ts'), config);
    return dir;
  };

  it('supplies tolerance, eps, seed and files; flags override it', async () => {
    const dir = project("export default { tolerance: 1e-3, eps: [1e-3, 1e-4], seed: 7, files: ['ops/*.ts'] };\n");
    const configured = JSON.parse((await gradcheck(['run', '--json'], { cwd: dir })).stdout);
    expect(configured).toMatchObject({ tolerance: 1e-3, seed: 7 });
    expect(configured.ops[0].name).toBe('cube');
    expect(configured.ops[0].inputs[0].sweep.map((p: { eps: number }) => p.eps)).toEqual([1e-3, 1e-4]);
    const flagged = JSON.parse((await gradcheck(['run', 'ops/cube.ts', '--json', '--tol', '1e-9', '--seed', '3'], { cwd: dir })).stdout);
    expect(flagged).toMatchObject({ tolerance: 1e-9, seed: 3 });
    const sweep = JSON.parse((await gradcheck(['sweep', '--json'], { cwd: dir })).stdout);
    expect(sweep.ops[0].inputs[0].sweep).toHaveLength(2);
  });

  it('a bad config is one clear line and exit code 2', async () => {
    const dir = project('export default { tolerance: -1 };\n');
    const { code, stderr } = await gradcheck(['run', 'ops/cube.ts'], { cwd: dir });
    expect(code).toBe(2);
    expect(stderr.trim()).toMatch(/^gradcheck: .*gradcheck\.config\.ts: tolerance must be a positive finite number, got -1$/);
  });
});
