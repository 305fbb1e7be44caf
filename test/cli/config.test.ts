// gradcheck.config.ts as a project's CI settings, through the real CLI: defineConfig from
// 'gradcheck', found from a subfolder, include/exclude, the keys the CLI sets, reporters with their
// files, per-op settings by name or pattern, `list` and `sweep` honouring it, and an unknown key
// anywhere named in one line.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gradcheck-config-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const OPS = `import { defineOp } from 'gradcheck';
export const tanh = defineOp({ name: 'tanh', inputs: { x: [3] }, forward: ({ x }) => x.tanh().sum() });
export const cube = defineOp({ name: 'tfjs cube', inputs: { x: [3] }, evaluate: ({ x }) => x.reduce((a, b) => a + b ** 3, 0), vjp: ({ x }, [c]) => ({ x: x.map((v) => 3.3 * v * v * c) }) });
export const square = defineOp({ name: 'tfjs square', inputs: { x: [3] }, evaluate: ({ x }) => x.reduce((a, b) => a + b * b, 0), vjp: ({ x }, [c]) => ({ x: x.map((v) => 2 * v * c) }) });
`;

interface JsonOp {
  name: string;
  status: string;
  tolerance: number;
  skip?: string;
  expect?: string;
  inputs: { sweep: { eps: number }[] }[];
}
const opsOf = (stdout: string) => JSON.parse(stdout).ops as JsonOp[];

describe('gradcheck.config.ts for CI', { concurrent: true, timeout: 120_000 }, () => {
  it("defineConfig from 'gradcheck', found from a subfolder; include and exclude relative to the config; list and sweep honour it", async () => {
    const dir = project({
      'gradcheck.config.ts': "import { defineConfig } from 'gradcheck';\nexport default defineConfig({ include: ['ops/**/*.ts'], exclude: ['ops/legacy/**'], tolerance: 1e-6, seed: 3 });\n",
      'ops/a.ts': OPS,
      'ops/legacy/old.ts': 'export const notAnOp = 1;\n',
      'src/deep/.keep': '',
    });
    const sub = join(dir, 'src/deep');
    const run = await runCli(['run', '--json', '--op', 'tanh'], { cwd: sub });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ tolerance: 1e-6, seed: 3 });
    expect(opsOf(run.stdout).map((op) => op.name)).toEqual(['tanh']);
    const list = await runCli(['list'], { cwd: sub });
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('tfjs square');
    expect(list.stdout).not.toContain('legacy');
    const sweep = await runCli(['sweep', '--json', '--op', 'tanh'], { cwd: sub });
    expect(opsOf(sweep.stdout).map((op) => [op.name, op.tolerance])).toEqual([['tanh', 1e-6]]);
  });

  it('per-op settings by name or pattern: tolerance, skip, expect; the op spec still wins', async () => {
    const dir = project({
      'gradcheck.config.ts': `export default {
        include: ['ops/*.ts'],
        ops: {
          'tfjs *': { expect: 'fail' },
          'tfjs square': { skip: 'upstream issue 123' },
          '/^tan/': { tolerance: 1e-5, eps: [1e-3, 1e-4] },
        },
      };\n`,
      'ops/a.ts': OPS,
    });
    const run = await runCli(['run', '--json'], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    const ops = opsOf(run.stdout);
    expect(ops.map((op) => [op.name, op.status, op.expect, op.skip])).toEqual([
      ['tanh', 'pass', undefined, undefined],
      ['tfjs cube', 'pass', 'fail', undefined],
      ['tfjs square', 'skipped', undefined, 'upstream issue 123'],
    ]);
    expect(ops[0].tolerance).toBe(1e-5);
    expect(ops[0].inputs[0].sweep.map((point) => point.eps)).toEqual([1e-3, 1e-4]);
  });

  it('the keys the CLI sets: method, order, mode, explore, timeout, threads, bail, reporters with their files; flags win', async () => {
    const dir = project({
      'gradcheck.config.ts': `export default {
        include: ['ops/*.ts'], method: 'five-point', order: 2, mode: 'element-wise', explore: 3, timeout: 20000, threads: 1, bail: 1,
        reporters: ['table', ['junit', { outputFile: 'reports/junit.xml' }]], outputFile: { markdown: 'reports/summary.md' },
      };\n`,
      'ops/a.ts': OPS.split('\n').slice(0, 2).join('\n'),
    });
    const run = await runCli(['run'], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/PASS {2}tanh .*order 2, five-point/);
    // explore: the points a plain run checks beyond the drawn one, as --explore 3 checks them.
    const beyond = (stdout: string) => /beyond the drawn point: .*/.exec(stdout)?.[0];
    const explored = await runCli(['run', '--order', '1', '--method', 'central'], { cwd: dir });
    const flagged3 = await runCli(['run', 'ops/a.ts', '--explore', '3', '--order', '1', '--method', 'central', '--reporter', 'table'], { cwd: dir });
    expect(beyond(explored.stdout)).toBeDefined();
    expect(beyond(explored.stdout)).toBe(beyond(flagged3.stdout));
    expect(readFileSync(join(dir, 'reports/junit.xml'), 'utf8')).toContain('name="tanh"');
    expect(readFileSync(join(dir, 'reports/summary.md'), 'utf8')).toMatch(/^## gradcheck: 1 passed/);
    const flagged = await runCli(['run', '--json', '--method', 'central', '--order', '1'], { cwd: dir });
    const [op] = opsOf(flagged.stdout) as (JsonOp & { method?: string; order?: number })[];
    expect([op.method, op.order]).toEqual([undefined, undefined]);
  });

  it('an unknown key, at the top or in a per-op setting or a reporter, is one line naming it', async () => {
    const cases: [string, string][] = [
      ["{ tolerence: 1e-6 }", "gradcheck.config.ts: unknown key 'tolerence' (did you mean 'tolerance'? the config takes"],
      ["{ ops: { tanh: { skipp: 'x' } } }", "gradcheck.config.ts: ops['tanh']: unknown key 'skipp' (did you mean 'skip'? an op override takes"],
      ["{ reporters: [['junit', { output: 'x.xml' }]] }", "gradcheck.config.ts: reporters[0][1]: unknown key 'output' (a reporter takes outputFile)"],
      ["{ reporters: ['xml'] }", "gradcheck.config.ts: reporters[0] must name a reporter (table, json, junit, github, markdown, html), got 'xml'"],
      ["{ ops: { tanh: { expect: 'fails' } } }", "gradcheck.config.ts: ops['tanh'].expect must be one of 'fail', 'pass', got 'fails'"],
      ["{ include: ['a.ts'], files: ['b.ts'] }", "gradcheck.config.ts: include and files say the same (files is include's older name): keep include"],
    ];
    for (const [config, message] of cases) {
      const dir = project({ 'gradcheck.config.ts': `export default ${config};\n`, 'ops.ts': OPS });
      const { code, stdout, stderr } = await runCli(['run', 'ops.ts'], { cwd: dir });
      expect([code, stdout], config).toEqual([2, '']);
      expect(stderr.trim().split('\n'), config).toHaveLength(1);
      expect(stderr, config).toContain(message);
    }
  });

  it("`files` is still read, as include's older name", async () => {
    const dir = project({ 'gradcheck.config.ts': "export default { files: ['ops/*.ts'] };\n", 'ops/a.ts': OPS.split('\n').slice(0, 2).join('\n') });
    const { code, stdout } = await runCli(['list'], { cwd: dir });
    expect(code).toBe(0);
    expect(stdout).toContain('  tanh  x [3]');
  });
});
