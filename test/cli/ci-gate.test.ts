// gradcheck as a CI gate, through the real CLI (issue 24): results stream file by file, fit the
// terminal, folders may hold helper modules, no op found fails, several reporters at once with
// their files (folders made), --op patterns, --bail, --shard, --changed, skip and expect.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { BIN, runCli } from '../helpers/cli.ts';
import { specifiers } from '../../src/cli/changed.ts';

/** A project in a fresh folder: its files by path, and a package.json that makes it one. */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gradcheck-ci-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const TANH = (name: string) => `export const op = defineOp({ name: '${name}', inputs: { x: [3] }, forward: ({ x }) => x.tanh().sum() });\n`;
const opFile = (...names: string[]) => `import { defineOp } from 'gradcheck';\n${names.map((name, k) => TANH(name).replace('const op', `const op${k}`)).join('')}`;
const HELPER = "import { customOp } from 'gradcheck';\nexport const softplus = customOp({ name: 'softplus', forward: (x) => x.exp().add(1).log(), backward: (grad, { inputs: [x] }) => [grad.mul(x.sigmoid())] });\n";
/** x² with a backward 1.5× too large (when `factor` is 3): a failing op, or with 2 a passing one. */
const square = (name: string, factor: number, extra = '') =>
  `export const ${name.replace(/\W/g, '_')} = defineOp({ name: '${name}',${extra} inputs: { x: [3] }, evaluate: ({ x }) => x.reduce((a, b) => a + b * b, 0), vjp: ({ x }, [c]) => ({ x: x.map((v) => ${factor} * v * c) }) });\n`;

const names = (stdout: string) => (JSON.parse(stdout).ops as { name: string }[]).map((op) => op.name);
const statuses = (stdout: string) => (JSON.parse(stdout).ops as { name: string; status: string }[]).map((op) => `${op.name}: ${op.status}`);

describe('streaming', { timeout: 120_000 }, () => {
  it("prints each file's tables as soon as that file is done (piped), and the summary at the end", async () => {
    const dir = project({
      'a-fast.ts': opFile('fast'),
      // A file whose import takes 4 s: the fast file's table must not wait for it.
      'b-slow.ts': `import { defineOp } from 'gradcheck';\nAtomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 4000);\n${TANH('slow')}`,
    });
    const started = performance.now();
    let firstTable = Infinity;
    let stdout = '';
    const child = spawn(process.execPath, [BIN, 'run', 'a-fast.ts', 'b-slow.ts'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (stdout.includes('PASS  fast') && firstTable === Infinity) firstTable = performance.now() - started;
    });
    const code = await new Promise((resolve) => child.on('exit', resolve));
    const ended = performance.now() - started;
    expect(code).toBe(0);
    expect(ended - firstTable).toBeGreaterThan(2500);
    expect(stdout.indexOf('PASS  fast')).toBeLessThan(stdout.indexOf('PASS  slow'));
    expect(stdout.trimEnd().split('\n').at(-1)).toMatch(/^2 ops in 2 files: 2 passed/);
  });

  it('--json stays one JSON document, and beside it the table can go to a file', async () => {
    const dir = project({ 'a.ts': opFile('one'), 'b.ts': opFile('two') });
    const { code, stdout } = await runCli(['run', 'a.ts', 'b.ts', '--json', '--reporter', 'table', '--output-file.table', 'out/table.txt'], { cwd: dir });
    expect(code).toBe(0);
    expect(names(stdout)).toEqual(['one', 'two']);
    const table = readFileSync(join(dir, 'out/table.txt'), 'utf8');
    expect(table).toContain(' PASS  one ');
    expect(table.trimEnd().split('\n').at(-1)).toMatch(/^2 ops in 2 files/);
  });
});

describe('fitting the terminal', { concurrent: true, timeout: 120_000 }, () => {
  it('tables and diagnoses fit COLUMNS (80 when unknown), long messages wrapped under their indentation', async () => {
    for (const env of [{ COLUMNS: '80' }, { COLUMNS: undefined }]) {
      const { stdout } = await runCli(['run', 'examples/broken/gelu-constant.ts'], { env });
      const lines = stdout.split('\n');
      expect(Math.max(...lines.map((line) => [...stripVTControlCharacters(line)].length))).toBeLessThanOrEqual(80);
      const diagnosis = lines.findIndex((line) => line.startsWith('  ⚠ '));
      expect(diagnosis).toBeGreaterThan(0);
      expect(lines[diagnosis + 1]).toMatch(/^ {4}\S/);
    }
    const sweep = await runCli(['sweep', 'examples/tanh.ts'], { env: { COLUMNS: '80' } });
    expect(Math.max(...sweep.stdout.split('\n').map((line) => [...line].length))).toBeLessThanOrEqual(80);
    expect(sweep.stdout).toContain('┄ tolerance 1e-7');
    const wide = await runCli(['run', 'examples/broken/gelu-constant.ts'], { env: { COLUMNS: '1000' } });
    const diagnoses = wide.stdout.split('\n').filter((line) => line.startsWith('  ⚠ '));
    expect(Math.max(...diagnoses.map((line) => line.length))).toBeGreaterThan(200);
    expect(wide.stdout).toMatch(/│ input │ shape │ best ε │ rel\. error │ worst element │/);
  });
});

describe('op files in folders and globs', { concurrent: true, timeout: 120_000 }, () => {
  const helperProject = () => project({ 'ops/util.ts': HELPER, 'ops/first.ts': `import { defineOp } from 'gradcheck';\nimport { softplus } from './util.ts';\nexport const sp = defineOp({ name: 'softplus', inputs: { x: [4] }, forward: ({ x }) => softplus(x).sum() });\n`, 'ops/x.ts': opFile('x') });

  it('a helper module in a folder is no error (a note with --verbose); named on its own it is', async () => {
    const dir = helperProject();
    const run = await runCli(['run', 'ops/', '--json'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(names(run.stdout)).toEqual(['softplus', 'x']);
    expect(run.stderr).toBe('');
    const verbose = await runCli(['run', 'ops/*.ts', '--verbose'], { cwd: dir });
    expect(verbose.code).toBe(0);
    expect(verbose.stderr).toContain('gradcheck: note: ops/util.ts defines no op');
    const named = await runCli(['run', 'ops/util.ts'], { cwd: dir });
    expect(named.code).toBe(2);
    expect(named.stdout).toContain('no defineOp export in ops/util.ts');
    const listed = await runCli(['list', 'ops/'], { cwd: dir });
    expect(listed.stdout).not.toContain('util.ts');
  });

  it('--exclude, a !glob argument and the config exclude leave files out', async () => {
    const dir = helperProject();
    expect(names((await runCli(['run', 'ops/', '--exclude', 'ops/x.ts', '--json'], { cwd: dir })).stdout)).toEqual(['softplus']);
    expect(names((await runCli(['run', 'ops/', '!ops/x.ts', '--json'], { cwd: dir })).stdout)).toEqual(['softplus']);
    expect(names((await runCli(['run', 'ops/', '--exclude', '**/first.ts', '--json'], { cwd: dir })).stdout)).toEqual(['x']);
    writeFileSync(join(dir, 'gradcheck.config.ts'), "export default { exclude: ['ops/x.ts'] };\n");
    expect(names((await runCli(['run', 'ops/', '--json'], { cwd: dir })).stdout)).toEqual(['softplus']);
  });

  it('no op found is exit 2 in one line (an empty folder, a glob matching nothing, a folder of helpers), unless --pass-with-no-ops', async () => {
    const dir = project({ 'ops/util.ts': HELPER });
    mkdirSync(join(dir, 'empty'));
    const cases: [string[], string][] = [
      [['run', 'empty/'], 'gradcheck: no op found: no op file in empty/'],
      [['run', 'ops/*.py'], "gradcheck: no op found: no files match 'ops/*.py'"],
      [['run', 'ops/'], 'gradcheck: no op found: no defineOp export in 1 file found'],
      [['list', 'empty/'], 'gradcheck: no op found: no op file in empty/'],
    ];
    await Promise.all(
      cases.map(async ([args, line], k) => {
        const failed = await runCli(args, { cwd: dir });
        expect([failed.code, failed.stderr.trim().split('\n')], args.join(' ')).toEqual([2, [line]]);
        if (k % 2 === 1) return; // the flag is one and the same for every case: half of them suffice
        const passed = await runCli([...args, '--pass-with-no-ops'], { cwd: dir });
        expect([passed.code, passed.stderr.trim()], args.join(' ')).toEqual([0, `${line} (--pass-with-no-ops)`]);
      }),
    );
  });
});

describe('--op, several reporters, report folders', { concurrent: true, timeout: 120_000 }, () => {
  it('--op and -t repeat, and take wildcards and /regex/', async () => {
    const dir = project({ 'ops.ts': opFile('tanh small', 'tanh large', 'sigmoid', 'relu') });
    const json = async (...args: string[]) => names((await runCli(['run', 'ops.ts', '--json', ...args], { cwd: dir })).stdout);
    expect(await json('--op', 'sigmoid', '--op', 'relu')).toEqual(['sigmoid', 'relu']);
    expect(await json('-t', 'tanh *')).toEqual(['tanh small', 'tanh large']);
    expect(await json('-t', '/^(re|si)/')).toEqual(['sigmoid', 'relu']);
    const listed = await runCli(['list', 'ops.ts', '--op', 'tanh*', '--json'], { cwd: dir });
    expect(JSON.parse(listed.stdout).files[0].ops.map((op: { name: string }) => op.name)).toEqual(['tanh small', 'tanh large']);
  });

  it('several reporters at once, each to stdout or a file; missing folders are made (--junit, --html, --output-file, init)', async () => {
    const dir = project({ 'ops.ts': opFile('one') });
    const run = await runCli(['run', 'ops.ts', '--reporter', 'table', '--reporter', 'junit', '--output-file.junit', 'reports/a/junit.xml', '--reporter', 'markdown', '--output-file.markdown', 'reports/b/summary.md', '--html', 'reports/c/report.html', '--junit', 'reports/d/junit.xml'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(' PASS  one ');
    expect(run.stdout).not.toContain('<?xml');
    for (const file of ['reports/a/junit.xml', 'reports/d/junit.xml']) expect(readFileSync(join(dir, file), 'utf8')).toContain('<testcase classname="ops.ts" name="one"');
    expect(readFileSync(join(dir, 'reports/b/summary.md'), 'utf8')).toMatch(/^## gradcheck: 1 passed/);
    expect(readFileSync(join(dir, 'reports/c/report.html'), 'utf8')).toContain('<!doctype html>');
    const init = await runCli(['init', 'ops/new/first.ts'], { cwd: dir });
    expect(init.code).toBe(0);
    expect(existsSync(join(dir, 'ops/new/first.ts'))).toBe(true);
    // A folder that cannot be made is one line naming the file (Node's recursive mkdir never returns under /proc).
    const proc = await runCli(['run', 'ops.ts', '--junit', '/proc/gradcheck-missing/junit.xml'], { cwd: dir });
    expect([proc.code, proc.stderr]).toEqual([2, 'gradcheck: cannot write the JUnit report to /proc/gradcheck-missing/junit.xml: ENOENT: no such file or directory, mkdir\n']);
  });

  it('two documents on stdout are refused before anything runs', async () => {
    const { code, stderr } = await runCli(['run', 'examples/tanh.ts', '--reporter', 'json', '--reporter', 'table']);
    expect(code).toBe(2);
    expect(stderr).toContain('--reporter json and --reporter table would both print to stdout');
  });
});

describe('--bail, --shard, --changed', { concurrent: true, timeout: 180_000 }, () => {
  it('--bail stops after the first failure (--bail 2 after the second), leaving the rest out; exit 1', async () => {
    const first = await runCli(['run', 'examples/broken', '--bail', '--json']);
    expect(first.code).toBe(1);
    expect(statuses(first.stdout).filter((line) => line.endsWith('fail'))).toHaveLength(1);
    expect(first.stderr).toMatch(/gradcheck: stopped after 1 op failed or could not run \(--bail 1\); \d+ files? not checked/);
    const second = await runCli(['run', 'examples/broken', '--bail', '2', '--json']);
    expect(statuses(second.stdout).filter((line) => line.endsWith('fail'))).toHaveLength(2);
  });

  it('--shard i/n: the shards are disjoint and together run every op exactly once', async () => {
    const all = names((await runCli(['run', 'examples/', '--json', '--mode', 'fast'])).stdout);
    const shards = await Promise.all([1, 2, 3].map(async (index) => names((await runCli(['run', 'examples/', '--json', '--mode', 'fast', '--shard', `${index}/3`])).stdout)));
    expect(shards.every((shard) => shard.length > 0)).toBe(true);
    expect(shards.flat().sort()).toEqual([...all].sort());
    const bad = await runCli(['run', 'examples/', '--shard', '4/3']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("expected <index>/<count> with 1 ≤ index ≤ count, such as 1/3, got '4/3'");
  });

  it('--changed [ref]: op files changed since the ref, untracked ones, and those importing a changed file', async () => {
    const dir = project({ 'ops/helper.ts': 'export const scale = 2;\n', 'ops/uses-helper.ts': `import { defineOp } from 'gradcheck';\nimport { scale } from './helper.ts';\nexport const op = defineOp({ name: 'scaled', inputs: { x: [3] }, forward: ({ x }) => x.mul(scale).tanh().sum() });\n`, 'ops/alone.ts': opFile('alone') });
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', ...args], { cwd: dir, stdio: 'pipe' });
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'ops');
    const changed = async (...args: string[]) => runCli(['run', 'ops/', '--json', ...args], { cwd: dir });
    const clean = await changed('--changed');
    expect([clean.code, clean.stderr.trim()]).toEqual([0, 'gradcheck: no op file changed since HEAD, nor any module one imports']);
    writeFileSync(join(dir, 'ops/helper.ts'), 'export const scale = 3;\n');
    expect(names((await changed('--changed')).stdout)).toEqual(['scaled']);
    git('commit', '-qam', 'helper');
    writeFileSync(join(dir, 'ops/new.ts'), opFile('new'));
    expect(names((await changed('--changed')).stdout)).toEqual(['new']);
    expect(names((await changed('--changed', 'HEAD~1')).stdout)).toEqual(['new', 'scaled']);
    const notGit = await runCli(['run', 'examples/tanh.ts', '--changed'], { cwd: mkdtempSync(join(tmpdir(), 'gradcheck-nogit-')) });
    expect(notGit.code).toBe(2);
  });
});

describe('the imports --changed follows', () => {
  it('are static imports and re-exports, import() and require() of a literal, not what a comment names', () => {
    const source = [
      "import { a } from './a.ts';",
      "import type { T } from './types.ts';",
      "import def, {\n  b,\n} from './b.js';",
      "export * from './c';",
      "import './d.ts';",
      "const e = await import('./e.ts');",
      "const f = require('./f.cjs');",
      "import { tensor } from 'gradcheck';",
      "// import { g } from './g.ts';",
      "/* import { h } from './h.ts'; */",
    ].join('\n');
    expect(specifiers(source)).toEqual(['./a.ts', './types.ts', './b.js', './c', './d.ts', './e.ts', './f.cjs', 'gradcheck']);
  });
});

describe('skip and expect', { concurrent: true, timeout: 120_000 }, () => {
  const file = `import { defineOp } from 'gradcheck';\n${square('right', 2)}${square('later', 2, " skip: 'waiting for the new kernel',")}${square('known bug', 3, " expect: 'fail',")}`;

  it("skip: a SKIP line and JUnit <skipped>; expect: 'fail': an expected failure with its diagnosis, green, a passing test case", async () => {
    const dir = project({ 'ops.ts': file });
    const run = await runCli(['run', 'ops.ts', '--junit', 'junit.xml'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ SKIP {2}later {2}ops\.ts:3 {2}waiting for the new kernel$/m);
    expect(run.stdout).toMatch(/^ EXPECTED FAIL {2}known bug {2}ops\.ts:4 /m);
    expect(run.stdout).toContain("expected to fail (expect: 'fail'): it fails, as expected");
    expect(run.stdout).toContain('⚠ scaled (x): the analytic gradient');
    expect(run.stdout).toMatch(/3 ops in 1 file: 1 passed, 1 expected to fail, 0 failed, 0 errors, 1 skipped/);
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(join(dir, 'junit.xml'), 'utf8'));
    const suite = parsed.testsuites.testsuite;
    expect(suite.skipped).toBe('1');
    expect(suite.failures).toBe('0');
    const [right, later, known] = suite.testcase;
    expect(right.skipped).toBeUndefined();
    expect(later.skipped).toEqual({ message: 'waiting for the new kernel' });
    expect(known.failure).toBeUndefined();
    expect(known['system-out']).toContain('EXPECTED FAIL');
    const json = JSON.parse((await runCli(['run', 'ops.ts', '--json'], { cwd: dir })).stdout);
    expect(json.ops.map((op: { status: string; skip?: string; expect?: string; outcome?: string }) => [op.status, op.skip, op.expect, op.outcome])).toEqual([
      ['pass', undefined, undefined, undefined],
      ['skipped', 'waiting for the new kernel', undefined, undefined],
      ['pass', undefined, 'fail', 'fail'],
    ]);
  });

  it("an op expected to fail that passes fails the run, saying so", async () => {
    const dir = project({ 'ops.ts': `import { defineOp } from 'gradcheck';\n${square('fixed', 2, " expect: 'fail',")}` });
    const run = await runCli(['run', 'ops.ts', '--reporter', 'github'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^ FAIL {2}fixed /m);
    expect(run.stdout).toContain("⚠ unexpected-pass: the op is marked expect: 'fail', but its check passed");
    expect(run.stdout).toMatch(/^::error file=ops\.ts,line=2,title=gradcheck%3A fixed failed::the op is marked expect: 'fail', but its check passed/m);
  });

  it('an op key the spec does not have is that op\'s error, naming the key; the others are checked', async () => {
    const dir = project({ 'ops.ts': `import { defineOp } from 'gradcheck';\nexport const typo = defineOp({ name: 'typo', tolerence: 1e-3, inputs: { x: [3] }, forward: ({ x }) => x.tanh().sum() } as never);\n${TANH('fine')}` });
    const run = await runCli(['run', 'ops.ts'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stdout).toContain("ops.ts:2: op 'typo': unknown key 'tolerence' (did you mean 'tolerance'?");
    expect(run.stdout).toMatch(/ PASS {2}fine /);
  });
});

describe('the tolerance each precision was held to', { timeout: 120_000 }, () => {
  it('is in the summary, the Markdown and the HTML header', async () => {
    const args = ['run', 'examples/tanh.ts', 'test/fixtures/float32/engine.ts', '--op', 'tanh', '--op', 'float32 engine: tanh(x @ w)'];
    const dir = mkdtempSync(join(tmpdir(), 'gradcheck-tol-'));
    const run = await runCli([...args, '--html', join(dir, 'r.html'), '--output-file.markdown', join(dir, 'r.md')]);
    expect(run.stdout).toContain('(tolerance float64 1e-7, float32 1e-4, seed 0)');
    expect(readFileSync(join(dir, 'r.md'), 'utf8')).toContain('tolerance float64 1e-7, float32 1e-4 · seed 0');
    expect(readFileSync(join(dir, 'r.html'), 'utf8')).toContain('tolerance float64 1e-7, float32 1e-4 · seed 0');
    const float32 = await runCli(['run', 'test/fixtures/float32/engine.ts', '--op', 'float32 engine: tanh(x @ w)']);
    expect(float32.stdout).toContain('(tolerance float32 1e-4, seed 0)');
  });
});

