// What each reporter makes of a run report, in process: JUnit XML, GitHub annotations and step
// summary, Markdown, JSON, HTML and the terminal table. The reports are the library's own, of
// test/report/fixtures/mixed.ts ('square' passes, 'wrong sigmoid' fails, 'throws' cannot run) and
// of examples, or built by hand where a reporter must escape what an op is called or says.
import { XMLParser } from 'fast-xml-parser';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { capture, checkFile, checkFiles, plain, withColour } from '../helpers/in-process.ts';
import type { OpReport, RunReport } from '../../src/model/report.ts';
import { emitRunReport, REPORTERS } from '../../src/report/emit.ts';
import { formatAnnotation, formatAnnotations, printGithub } from '../../src/report/github.ts';
import { formatHtml } from '../../src/report/html.ts';
import { formatJson } from '../../src/report/json.ts';
import { formatJunit } from '../../src/report/junit.ts';
import { formatMarkdown } from '../../src/report/markdown.ts';
import { formatOpTable, formatSummary, printTable } from '../../src/report/table.ts';
import { FIXTURES } from './cli.ts';

const MIXED = 'test/report/fixtures/mixed.ts';
const scratch = () => mkdtempSync(join(tmpdir(), 'gradcheck-reporters-'));
const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' });

let mixed: RunReport;
beforeAll(async () => {
  mixed = await checkFiles([join(FIXTURES, 'mixed.ts')]);
});

/** A report of one op, as a check makes it, with `fields` changed. */
function opReport(fields: Partial<OpReport> = {}): OpReport {
  return {
    file: 'ops/odd.ts',
    name: 'odd',
    status: 'fail',
    elapsedMs: 1.5,
    maxRelErr: 0.25,
    tolerance: 1e-7,
    precision: 'float64',
    mode: 'element-wise',
    evaluations: 8,
    line: 3,
    diagnoses: [],
    inputs: [
      { name: 'x', shape: [2], passed: false, relErr: 0.25, bestEps: 1e-5, worst: { index: [1], analytic: 1.25, numeric: 1 }, sweep: [{ eps: 1e-5, relErr: 0.25 }] },
    ],
    ...fields,
  };
}

const runOf = (...ops: OpReport[]): RunReport => ({ passed: ops.every((op) => op.status === 'pass'), tolerance: 1e-7, seed: 0, ops });

it('the fixture gives one op of each status', () => {
  expect(mixed.ops.map((op) => [op.name, op.status, op.file, op.line])).toEqual([
    ['square', 'pass', MIXED, 4],
    ['wrong sigmoid', 'fail', MIXED, 12],
    ['throws', 'error', MIXED, 14],
  ]);
});

describe('junit', () => {
  it('one testcase per op, a failure with the table, an error for the op that could not run', () => {
    const parsed = xml.parse(formatJunit(mixed));
    expect(parsed.testsuites).toMatchObject({ name: 'gradcheck', tests: '3', failures: '1', errors: '1' });
    expect(parsed.testsuites.testsuite).toMatchObject({ name: MIXED, tests: '3', failures: '1', errors: '1', skipped: '0' });
    const cases = parsed.testsuites.testsuite.testcase as Record<string, unknown>[];
    expect(cases.map((c) => c.name)).toEqual(['square', 'wrong sigmoid', 'throws']);
    for (const c of cases) expect(c).toMatchObject({ classname: MIXED, file: MIXED });
    expect(cases.map((c) => c.line)).toEqual(['4', '12', '14']);
    expect(cases[0].failure).toBeUndefined();
    expect(cases[0].error).toBeUndefined();
    const failure = cases[1].failure as { message: string; type: string; '#text': string };
    expect(failure.type).toBe('GradientMismatch');
    expect(failure.message).toMatch(/^relative error 6\.\de-1 above tolerance 1e-7; x: 6\.\de-1; the analytic gradient of 'x' differs/);
    expect(failure['#text']).toContain('│ x     │ [3]');
    const error = cases[2].error as { message: string; type: string };
    expect(error.type).toBe('OpError');
    expect(error.message).toContain('evaluate threw: boom');
  });

  it('has no colour codes in the failure text, even when the terminal has colours', () => {
    const failing = mixed.ops[1];
    withColour(3, () => {
      expect(formatOpTable(failing), 'the table itself is coloured at this level').toMatch(/\x1b\[/);
      expect(formatJunit(mixed)).not.toMatch(/\x1b/);
    });
  });

  it('escapes what an op is called and says, and drops the control characters XML cannot hold', () => {
    const odd = opReport({ name: 'a < b & "c"', status: 'error', error: 'bell \u0007 and\nnewline <tag>', inputs: [] });
    const text = formatJunit(runOf(odd));
    expect(text).not.toContain('\u0007');
    expect(text).not.toContain('<tag>');
    const testcase = xml.parse(text).testsuites.testsuite.testcase as { name: string; error: { message: string } };
    expect(testcase.name).toBe('a < b & "c"');
    expect(testcase.error.message).toBe('bell  and&#10;newline <tag>'); // the parser leaves character references alone
    expect(text).toContain('<error message="bell  and&#10;newline &lt;tag&gt;" type="OpError">');
  });
});

describe('github', () => {
  it('an ::error annotation on the defineOp line of each failing op, in one line', () => {
    const annotations = formatAnnotations(mixed);
    expect(annotations).toHaveLength(2);
    const parsed = annotations.map((line) => /^::error (?<props>[^:]*)::(?<message>.*)$/.exec(line)!.groups!);
    expect(parsed[0].props).toBe(`file=${MIXED},line=12,title=gradcheck%3A wrong sigmoid failed`);
    expect(parsed[0].message).toMatch(/^relative error 6\.\de-1 above tolerance 1e-7%0Ainput x \[3\]: 6\.\de-1 at \[\d\] \(analytic \S+, numeric \S+, ε 1e-\d+\)%0A/);
    expect(parsed[1].props).toBe(`file=${MIXED},line=14,title=gradcheck%3A throws could not run`);
    expect(parsed[1].message).toContain('evaluate threw: boom');
    for (const annotation of annotations) expect(annotation).not.toMatch(/[\n\r]/);
  });

  it('escapes %, and in properties , and :; the op\'s own line breaks are shown escaped, on the one line of its error', () => {
    const annotation = formatAnnotation(opReport({ name: 'a, b: 100%', status: 'error', error: '50% done\r\nthen: stop', inputs: [] }));
    expect(annotation).toBe('::error file=ops/odd.ts,line=3,title=gradcheck%3A a%2C b%3A 100%25 could not run::50%25 done\\r\\nthen: stop');
  });

  it('prints the tables, then the annotations, and appends the Markdown summary to $GITHUB_STEP_SUMMARY', () => {
    const summary = join(scratch(), 'summary.md');
    writeFileSync(summary, '# earlier step\n');
    const out = capture();
    printGithub(mixed, out, {}, { GITHUB_STEP_SUMMARY: summary });
    const table = capture();
    printTable(mixed, table);
    expect(out.text()).toBe(table.text() + formatAnnotations(mixed).map((line) => `${line}\n`).join(''));
    expect(readFileSync(summary, 'utf8')).toBe(`# earlier step\n${formatMarkdown(mixed)}\n`);
  });
});

describe('markdown', () => {
  it('a summary table and a table per failing op', () => {
    const text = formatMarkdown(mixed);
    const lines = text.split('\n');
    expect(lines[0]).toBe('## gradcheck: 1 passed, 1 failed, 1 error');
    expect(lines[2]).toBe('3 ops in 1 file · tolerance 1e-7 · seed 0');
    expect(lines.find((line) => line.includes('| wrong sigmoid |'))).toMatch(/^\| ❌ \| wrong sigmoid \| `test\/report\/fixtures\/mixed.ts:12` \| 6\.\de-1 \| 1e-7 \| [\d.]+ ms \|$/);
    expect(text).toMatch(/\| input \| shape \| best ε \| rel\. error \|/);
    expect(text).toMatch(/\| x \| \[3\] \| 1e-\d+ \| \*\*6\.\de-1\*\* \|/);
    expect(text).toContain('### 💥 throws (`test/report/fixtures/mixed.ts:14`)');
    expect(text).not.toContain('### ✅ square');
  });

  it('escapes | and shows newlines escaped, which would break a table row', () => {
    const text = formatMarkdown(runOf(opReport({ name: 'a | b', status: 'error', error: 'one\ntwo | three', inputs: [] })));
    expect(text).toContain('| 💥 | a \\| b | `ops/odd.ts:3` |');
    expect(text).toContain('> one\\ntwo \\| three');
  });
});

describe('json', () => {
  it('the run report, with NaN and Infinity as null and stacks only when verbose', () => {
    const parsed = JSON.parse(formatJson(mixed));
    expect(parsed).toMatchObject({ passed: false, tolerance: 1e-7, seed: 0 });
    expect(parsed.ops.map((op: { status: string }) => op.status)).toEqual(['pass', 'fail', 'error']);
    expect(mixed.ops[2].maxRelErr).toBeNaN();
    expect(parsed.ops[2].maxRelErr).toBeNull();
    expect(mixed.ops[2].stack).toMatch(/boom/);
    expect(parsed.ops[2]).not.toHaveProperty('stack');
    expect(JSON.parse(formatJson(mixed, { verbose: true })).ops[2].stack).toBe(mixed.ops[2].stack);
    expect(JSON.parse(formatJson(runOf(opReport({ maxRelErr: Infinity })))).ops[0].maxRelErr).toBeNull();
  });
});

describe('html', () => {
  it('is one self-contained file: no scripts, no external fonts, stylesheets or images', () => {
    const html = formatHtml(mixed);
    // One inline script (the ε control) and nothing fetched: no script source, stylesheet, font or image.
    expect(html.match(/<script>/g)).toHaveLength(1);
    expect(html).not.toMatch(/<script [^>]*src|<link|@import|@font-face|url\(|<img/i);
    expect(html).toContain('<svg');
    expect(html).toContain('wrong sigmoid');
    expect(html).toContain('evaluate threw: boom');
    expect(html).toMatch(/mismatch.*\(x\)/);
  });

  it('escapes what an op is called and says', () => {
    const html = formatHtml(runOf(opReport({ name: '<script>alert(1)</script>', error: '"quoted" & <b>' })));
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toContain('& <b>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;quoted&quot; &amp; &lt;b&gt;');
  });
});

describe('the terminal table', () => {
  it('a table per op with the failing input flagged, its diagnosis, and a summary', async () => {
    const report = await checkFiles(['examples/broken/detach.ts']);
    const out = capture();
    const text = plain(() => {
      printTable(report, out);
      return out.text();
    });
    expect(text).toMatch(/^ FAIL\s+detach\(\) severs the graph\s+examples\/broken\/detach\.ts:5/);
    expect(text).toMatch(/│ x\s+│ \[4, 6\]\s+│ [^│]+│ [^│]+│[^│]+│[^│]+│[^│]+│ ok/);
    expect(text).toMatch(/│ w\s+│ \[6, 3\]\s+│ [^│]+│ 1\.0e0\s+│.*FAIL/);
    expect(text).toMatch(/⚠ detached \(w\): the analytic gradient of 'w' is exactly 0/);
    expect(text.trimEnd().split('\n').at(-1)).toBe('1 op in 1 file: 0 passed, 1 failed, 0 errors  (tolerance 1e-7, seed 0)');
  });

  it('says how an op was checked when it was not the plain element-wise check', async () => {
    const [op] = await checkFile('examples/tanh.ts', { mode: 'fast', order: 2, method: 'five-point' });
    const text = plain(() => formatOpTable(op));
    expect(text).toMatch(/PASS\s+tanh .* fast mode \(uᵀJv\), order 2, five-point/);
    // Fast mode has no worst element to show.
    // Fast mode measures one joint comparison: printed once, the inputs listed with their shapes.
    expect(text).toMatch(/^ {2}uᵀJv, all inputs at once: rel\. error .*\n {2}inputs: x \[64\]$/m);
    const [plainOp] = await checkFile('examples/tanh.ts', { mode: 'element-wise' });
    expect(plain(() => formatOpTable(plainOp)).split('\n')[0]).not.toMatch(/mode|order|five-point/);
  });

  it('leaves the stack of an op that threw out, unless verbose', async () => {
    const ops = await checkFile('test/fixtures/bad/throws.ts');
    const forward = ops.find((op) => op.name === 'throws in forward')!;
    const terse = plain(() => formatOpTable(forward));
    expect(terse).toContain("op 'throws in forward': forward threw: forward exploded (at line 8)");
    expect(terse).not.toMatch(/^\s+at /m);
    expect(plain(() => formatOpTable(forward, { verbose: true }))).toMatch(/^\s+at .*throws\.ts:8/m);
  });

  it('summarises the counts, the tolerance and the seed', () => {
    const held = { ...mixed, seed: 11, tolerance: 1e-6, ops: mixed.ops.map((op) => ({ ...op, tolerance: 1e-6 })) };
    expect(plain(() => formatSummary(held))).toBe('3 ops in 1 file: 1 passed, 1 failed, 1 error  (tolerance 1e-6, seed 11)');
    // Ops held to a tolerance of their own are counted beside the run's.
    expect(plain(() => formatSummary({ ...mixed, seed: 11, tolerance: 1e-6 }))).toBe('3 ops in 1 file: 1 passed, 1 failed, 1 error  (tolerance 1e-6 (1e-7 for 3 ops), seed 11)');
    expect(plain(() => formatSummary(runOf(opReport({ status: 'pass' }), opReport({ file: 'b.ts', status: 'pass' }))))).toBe('2 ops in 2 files: 2 passed, 0 failed, 0 errors  (tolerance 1e-7, seed 0)');
  });

  it('marks an inconclusive pass and an input that is neither proven right nor wrong', () => {
    const op = opReport({ status: 'pass', verdict: 'inconclusive', inputs: [{ ...opReport().inputs[0], passed: true, verdict: 'inconclusive' }] });
    const text = plain(() => formatOpTable(op));
    expect(text).toMatch(/^ PASS \(inconclusive\) {2}odd/);
    expect(text).toMatch(/│ inconclusive │/);
  });
});

describe('emitRunReport', () => {
  it('prints the chosen reporter and writes the --junit and --html files beside it', () => {
    const printed = (options: Parameters<typeof emitRunReport>[1]) => {
      const out = capture();
      withColour(0, () => emitRunReport(mixed, options, out, {}));
      return out.text();
    };
    const table = printed({});
    expect(table).toContain('wrong sigmoid');
    expect(table.trimEnd().split('\n').at(-1)).toMatch(/^3 ops in 1 file/);
    expect(printed({ reporter: 'table' })).toBe(table);
    expect(printed({ reporter: 'json' })).toBe(`${formatJson(mixed)}\n`);
    expect(printed({ json: true, reporter: 'markdown' })).toBe(`${formatJson(mixed)}\n`);
    expect(printed({ reporter: 'junit' })).toBe(formatJunit(mixed));
    expect(printed({ reporter: 'markdown' })).toBe(formatMarkdown(mixed));
    expect(printed({ reporter: 'github' })).toContain(formatAnnotations(mixed)[0]);
    expect(REPORTERS).toEqual(['table', 'json', 'junit', 'github', 'markdown', 'html']);

    const dir = scratch();
    const junit = join(dir, 'run.xml');
    const html = join(dir, 'run.html');
    printed({ reporter: 'json', junit, html });
    expect(readFileSync(junit, 'utf8')).toBe(formatJunit(mixed));
    expect(readFileSync(html, 'utf8')).toBe(formatHtml(mixed, { title: 'gradcheck report' }));
  });
});
