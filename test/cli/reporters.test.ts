// `run --reporter`, --junit, --html and --op through the real CLI: what each reporter writes where,
// and the exit code. What the reporters print is tested in process (test/report/reporters.test.ts).
import { describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, gradcheck } from '../report/cli.ts';

// mixed.ts: 'square' passes, 'wrong sigmoid' fails, 'throws' cannot run.
const mixed = join(FIXTURES, 'mixed.ts');
const scratch = () => mkdtempSync(join(tmpdir(), 'gradcheck-reporters-'));

describe('run --reporter', { concurrent: true, timeout: 60_000 }, () => {
  it('junit: the XML on stdout and in the --junit file, and --html writes the page beside it; exit 2', async () => {
    const dir = scratch();
    const file = join(dir, 'junit.xml');
    const html = join(dir, 'run.html');
    const { code, stdout, stderr } = await gradcheck(['run', mixed, '--reporter', 'junit', '--junit', file, '--html', html]);
    expect(code).toBe(2);
    expect(stderr).toBe('');
    expect(readFileSync(file, 'utf8')).toBe(stdout);
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(stdout);
    expect(xml.testsuites).toMatchObject({ tests: '3', failures: '1', errors: '1' });
    expect((xml.testsuites.testsuite.testcase as { name: string }[]).map((c) => c.name)).toEqual(['square', 'wrong sigmoid', 'throws']);
    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('<svg');
    expect(page).toContain('wrong sigmoid');
  });

  it('github: the tables, an ::error annotation per failing op, and the step summary appended', async () => {
    const dir = scratch();
    const summary = join(dir, 'summary.md');
    writeFileSync(summary, '# earlier step\n');
    const { code, stdout } = await gradcheck(['run', mixed, '--reporter', 'github'], { env: { GITHUB_STEP_SUMMARY: summary } });
    expect(code).toBe(2);
    expect(stdout).toMatch(/FAIL\s+wrong sigmoid/);
    expect(stdout).not.toMatch(/^\s+at /m); // no stack traces without --verbose
    const annotations = stdout.split('\n').filter((line) => line.startsWith('::'));
    expect(annotations.map((line) => line.split('::')[1])).toEqual([
      'error file=test/report/fixtures/mixed.ts,line=12,title=gradcheck%3A wrong sigmoid failed',
      'error file=test/report/fixtures/mixed.ts,line=14,title=gradcheck%3A throws could not run',
    ]);
    const written = readFileSync(summary, 'utf8');
    expect(written.startsWith('# earlier step\n## gradcheck: 1 passed, 1 failed, 1 error\n')).toBe(true);
  });

  it('markdown: the run as Markdown on stdout', async () => {
    const { code, stdout } = await gradcheck(['run', mixed, '--reporter', 'markdown']);
    expect(code).toBe(2);
    expect(stdout.split('\n')[0]).toBe('## gradcheck: 1 passed, 1 failed, 1 error');
    expect(stdout).toContain('| ❌ | wrong sigmoid | `test/report/fixtures/mixed.ts:12` |');
  });

  it('json, with --op: only the named op is checked and reported; exit 0 when it passes', async () => {
    const one = await gradcheck(['run', mixed, '--op', 'square', '--reporter', 'json']);
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout).ops.map((op: { name: string; status: string }) => `${op.name}: ${op.status}`)).toEqual(['square: pass']);
  });

  it('--op with an unknown name is a usage error', async () => {
    const none = await gradcheck(['run', mixed, '--op', 'cube']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("no op named 'cube'");
  });
});
