// What the printers print: fast mode's one joint comparison (table, Markdown, HTML), GitHub
// annotations on workspace-relative paths, and the size of an HTML page that carries every
// element's error at every step.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpReport, RunReport } from '../../src/model/report.ts';
import { annotationPath, formatAnnotations } from '../../src/report/github.ts';
import { formatHtml } from '../../src/report/html.ts';
import { formatOpMarkdown } from '../../src/report/markdown.ts';
import { formatOpTable } from '../../src/report/table.ts';
import { FIXTURES, REPO, gradcheck } from './cli.ts';
import { sweepReport, syntheticSweep } from './detailed-report.ts';

const plain = { NO_COLOR: '1' };

async function runJson(args: string[]): Promise<RunReport> {
  const { stdout } = await gradcheck(['run', ...args, '--json']);
  return JSON.parse(stdout) as RunReport;
}

describe('fast mode prints its one joint comparison once', { timeout: 120_000 }, () => {
  it('table: one joint line and the inputs by shape, no per-input rows', async () => {
    const { code, stdout } = await gradcheck(['run', 'examples/mlp.ts', '--mode', 'fast'], { env: plain });
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^ PASS {2}two-layer MLP {2}examples\/mlp\.ts:4 {2}[\d.]+ ms {2}fast mode \(uᵀJv\)$/);
    expect(lines[1]).toMatch(/^ {2}uᵀJv, all inputs at once: rel\. error \d\.\de-\d+ at ε = 1e-\d+ \(analytic -?[\d.]+, numeric -?[\d.]+\) {2}ok$/);
    expect(lines[2]).toBe('  inputs: x [4, 16], w1 [16, 32], b1 [32], w2 [32, 10]');
    expect(lines[3]).toBe('');
    expect(stdout).not.toContain('│');
    expect(stdout.match(/rel\. error/g)).toHaveLength(1);
  });

  it('table: a constant input is listed as one; an op that fell back to element-wise keeps its rows', async () => {
    const { stdout } = await gradcheck(['run', join(REPO, 'test/fixtures/inputs/constants.ts'), '--mode', 'fast'], { env: plain });
    const embedding = stdout.split('\n\n').find((block) => block.includes('embedding with integer ids  '))!;
    expect(embedding).toContain('  inputs: table [10, 4], ids [6] (constant)');
    const broken = stdout.split('\n\n').find((block) => block.includes('embedding with integer ids, 0.1% off'))!;
    expect(broken).toContain('fast mode failed, then element-wise');
    expect(broken).toMatch(/│ table │ \[10, 4\] │ 1e-\d+ +│ 1\.0e-3 +│ \[\d, \d\] /);
  });

  it('Markdown and HTML: the joint line and the input list; HTML draws one curve', async () => {
    const report = await runJson(['examples/mlp.ts', '--mode', 'fast']);
    const op = report.ops[0];
    const markdown = formatOpMarkdown(op).join('\n');
    expect(markdown).toMatch(/^uᵀJv, all inputs at once \(fast mode\): rel\. error \d\.\de-\d+ at ε = 1e-\d+ \(analytic .*, numeric .*\), ok$/m);
    expect(markdown).toContain('Inputs: x [4, 16], w1 [16, 32], b1 [32], w2 [32, 10]');
    expect(markdown).not.toContain('| input |');
    const html = formatHtml(report);
    expect(html.match(/<svg class="curve"/g)).toHaveLength(1);
    expect(html).toContain('inputs: x [4, 16], w1 [16, 32], b1 [32], w2 [32, 10]');
    expect(html).not.toContain('<table class="inputs">');
  });

  it("'fast-then-directional': every input was measured on its own, so each keeps its row", () => {
    const row = (name: string, relErr: number) => ({ name, shape: [64, 64], passed: relErr < 1e-7, relErr, bestEps: 1e-5, worst: { index: [], analytic: 1, numeric: 1 + relErr }, sweep: [{ eps: 1e-5, relErr }] });
    const op: OpReport = {
      file: 'ops/big.ts', name: 'big', status: 'fail', elapsedMs: 1, maxRelErr: 0.5, tolerance: 1e-7, precision: 'float64', mode: 'fast-then-directional', evaluations: 20, diagnoses: [],
      inputs: [row('a', 2e-10), row('b', 0.5)],
    };
    const table = formatOpTable(op).split('\n');
    expect(table.filter((line) => /^│ [ab] /.test(line))).toHaveLength(2);
    expect(formatOpMarkdown(op).filter((line) => /^\| [ab] \|/.test(line))).toHaveLength(2);
  });
});

describe('--reporter github annotates files relative to the workspace', { timeout: 120_000 }, () => {
  const mixed = join(FIXTURES, 'mixed.ts');
  const files = (stdout: string) => stdout.split('\n').filter((line) => line.startsWith('::error ')).map((line) => /file=([^,]*)/.exec(line)![1]);

  it('a file given as an absolute path, from the repository root', async () => {
    const { stdout } = await gradcheck(['run', mixed, '--reporter', 'github'], { env: plain });
    expect(files(stdout)).toEqual(['test/report/fixtures/mixed.ts', 'test/report/fixtures/mixed.ts']);
  });

  it('from a job running in a subfolder or outside the checkout: $GITHUB_WORKSPACE decides', async () => {
    const inSubfolder = await gradcheck(['run', mixed, '--reporter', 'github'], { cwd: join(REPO, 'test/report'), env: { ...plain, GITHUB_WORKSPACE: REPO } });
    expect(files(inSubfolder.stdout)).toEqual(['test/report/fixtures/mixed.ts', 'test/report/fixtures/mixed.ts']);
    const outside = mkdtempSync(join(tmpdir(), 'gradcheck-github-'));
    const elsewhere = await gradcheck(['run', mixed, '--reporter', 'github'], { cwd: outside, env: { ...plain, GITHUB_WORKSPACE: REPO } });
    expect(elsewhere.stdout).toContain(mixed); // the table names the file as given
    expect(files(elsewhere.stdout)).toEqual(['test/report/fixtures/mixed.ts', 'test/report/fixtures/mixed.ts']);
  });

  it('a file outside the workspace keeps its absolute path', () => {
    expect(annotationPath('/elsewhere/ops.ts', '/repo')).toBe('/elsewhere/ops.ts');
    expect(annotationPath('/repo/ops/a.ts', '/repo')).toBe('ops/a.ts');
    const report: RunReport = { passed: false, tolerance: 1e-7, seed: 0, ops: [{ file: '/repo/ops/a.ts', name: 'a', status: 'error', elapsedMs: 0, maxRelErr: NaN, tolerance: 1e-7, precision: 'float64', mode: 'element-wise', evaluations: 0, diagnoses: [], inputs: [], error: 'boom' }] };
    expect(formatAnnotations(report, { GITHUB_WORKSPACE: '/repo' })).toEqual(['::error file=ops/a.ts,title=gradcheck%3A a could not run::boom']);
  });
});

describe('the HTML page with every element at every step', () => {
  it('a 64×64 input is drawn cell by cell and stays under 2 MB', () => {
    const html = formatHtml(sweepReport([syntheticSweep('w', [64, 64], 1e-7)], 1e-7));
    expect(html.length).toBeLessThan(2_000_000);
    expect(html).toContain('<canvas class="heat" width="192" height="192"');
  });

  it('beyond 4096 elements, a histogram per step in place of the cells', () => {
    const html = formatHtml(sweepReport([syntheticSweep('w', [128, 128], 1e-7)], 1e-7));
    expect(html.length).toBeLessThan(200_000);
    expect(html).not.toContain('<canvas');
    expect(html).toContain('<svg class="histogram"');
    expect(html).toMatch(/\d+ of 16384 elements above the tolerance/);
  });
});
