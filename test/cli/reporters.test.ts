import { describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, gradcheck } from '../report/cli.ts';

// mixed.ts: 'square' passes, 'wrong sigmoid' fails, 'throws' cannot run.
const mixed = join(FIXTURES, 'mixed.ts');
const scratch = () => mkdtempSync(join(tmpdir(), 'gradcheck-reporters-'));

describe('run --reporter', { timeout: 60_000 }, () => {
  it('junit: one testcase per op, a failure with the table, an error for the op that could not run', async () => {
    const dir = scratch();
    const file = join(dir, 'junit.xml');
    const { code, stdout } = await gradcheck(['run', mixed, '--reporter', 'junit', '--junit', file]);
    expect(code).toBe(2);
    expect(readFileSync(file, 'utf8')).toBe(stdout);
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(stdout);
    expect(xml.testsuites).toMatchObject({ tests: '3', failures: '1', errors: '1' });
    const cases = xml.testsuites.testsuite.testcase as Record<string, unknown>[];
    expect(cases.map((c) => c.name)).toEqual(['square', 'wrong sigmoid', 'throws']);
    for (const c of cases) expect(c.classname).toBe('test/report/fixtures/mixed.ts');
    expect(cases[0].failure).toBeUndefined();
    const failure = cases[1].failure as { message: string; '#text': string };
    expect(failure.message).toMatch(/relative error 6\.\de-1 above tolerance 1e-7/);
    expect(failure['#text']).toContain('│ x     │ [3]');
    expect(failure['#text']).not.toMatch(/\x1b/);
    expect((cases[2].error as { message: string }).message).toContain('evaluate threw: boom');
  });

  it('json: the run report', async () => {
    const { code, stdout } = await gradcheck(['run', mixed, '--reporter', 'json']);
    expect(code).toBe(2);
    const report = JSON.parse(stdout);
    expect(report.ops.map((op: { status: string }) => op.status)).toEqual(['pass', 'fail', 'error']);
  });

  it('github: an ::error annotation on the defineOp line of each failing op, and the step summary', async () => {
    const dir = scratch();
    const summary = join(dir, 'summary.md');
    writeFileSync(summary, '# earlier step\n');
    const { stdout } = await gradcheck(['run', mixed, '--reporter', 'github'], { env: { GITHUB_STEP_SUMMARY: summary } });
    const annotations = stdout.split('\n').filter((line) => line.startsWith('::'));
    expect(annotations).toHaveLength(2);
    const parsed = annotations.map((line) => /^::error (?<props>[^:]*)::(?<message>.*)$/.exec(line)!.groups!);
    expect(parsed[0].props).toBe('file=test/report/fixtures/mixed.ts,line=12,title=gradcheck%3A wrong sigmoid failed');
    expect(parsed[0].message).toMatch(/^relative error 6\.\de-1 above tolerance 1e-7%0Ainput x \[3\]/);
    expect(parsed[0].message).not.toContain('\n');
    expect(parsed[1].props).toBe('file=test/report/fixtures/mixed.ts,line=14,title=gradcheck%3A throws could not run');
    const written = readFileSync(summary, 'utf8');
    expect(written.startsWith('# earlier step\n## gradcheck: 1 passed, 1 failed, 1 error')).toBe(true);
  });

  it('markdown: a summary table and a table per failing op', async () => {
    const { stdout } = await gradcheck(['run', mixed, '--reporter', 'markdown']);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe('## gradcheck: 1 passed, 1 failed, 1 error');
    expect(lines.find((line) => line.includes('| wrong sigmoid |'))).toMatch(/^\| ❌ \| wrong sigmoid \| `test\/report\/fixtures\/mixed.ts:12` \| 6\.\de-1 \| 1e-7 \| [\d.]+ ms \|$/);
    expect(stdout).toMatch(/\| input \| shape \| best ε \| rel\. error \|/);
    expect(stdout).toMatch(/\| x \| \[3\] \| 1e-\d+ \| \*\*6\.\de-1\*\* \|/);
  });

  it('--op checks one op; an unknown name is a usage error', async () => {
    const one = await gradcheck(['run', mixed, '--op', 'square', '--json']);
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout).ops.map((op: { name: string }) => op.name)).toEqual(['square']);
    const none = await gradcheck(['run', mixed, '--op', 'cube']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("no op named 'cube'");
  });
});
