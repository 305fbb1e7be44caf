// `--junit <file>` and `--reporter junit`: JUnit XML for CI test tabs. One testsuite per op file,
// one testcase per op (classname: the file); a failing op carries a <failure> with its table as
// plain text, an op that could not run an <error> (its stack trace only with --verbose, as in the
// table), a skipped one <skipped message="reason"/>, and an expected failure passes with its table
// in <system-out>. CI tools identify a test case by classname and name, so two ops of one name in a file
// are named with their lines.
import { stripVTControlCharacters } from 'node:util';
import type { OpReport, RunReport } from '../model/report.ts';
import { formatExp, rowLabel, summaryCounts } from './format.ts';
import type { ReportOptions } from './format.ts';
import { formatOpTable } from './table.ts';
import { breakLegacyCommands } from './safe-text.ts';

export function formatJunit(report: RunReport, options: ReportOptions = {}): string {
  const byFile = new Map<string, OpReport[]>();
  for (const op of report.ops) byFile.set(op.file, [...(byFile.get(op.file) ?? []), op]);
  const { failed, errors, skipped } = summaryCounts(report);
  const seconds = (ops: OpReport[]) => (ops.reduce((sum, op) => sum + op.elapsedMs, 0) / 1000).toFixed(3);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="gradcheck" tests="${report.ops.length}" failures="${failed}" errors="${errors}" skipped="${skipped}" time="${seconds(report.ops)}">`,
  ];
  for (const [file, ops] of byFile) {
    const count = (status: string) => ops.filter((op) => op.status === status).length;
    lines.push(`  <testsuite name="${attr(file)}" tests="${ops.length}" failures="${count('fail')}" errors="${count('error')}" skipped="${count('skipped')}" time="${seconds(ops)}">`);
    const names = caseNames(ops);
    ops.forEach((op, index) => lines.push(...formatTestcase(op, names[index], options)));
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  // `--reporter junit` prints it where a CI log reads it: an op's `##[` written as a character reference.
  return breakLegacyCommands(lines.join('\n'), '&#91;');
}

/** Each op's test case name: its own, or with its line where another op of the file has the same name. */
function caseNames(ops: OpReport[]): string[] {
  const count = new Map<string, number>();
  for (const op of ops) count.set(op.name, (count.get(op.name) ?? 0) + 1);
  const seen = new Map<string, number>();
  return ops.map((op) => {
    if (count.get(op.name) === 1) return op.name;
    const nth = (seen.get(op.name) ?? 0) + 1;
    seen.set(op.name, nth);
    return `${op.name} (${op.line ? `line ${op.line}` : `#${nth}`})`;
  });
}

function formatTestcase(op: OpReport, name: string, options: ReportOptions): string[] {
  const open = `    <testcase classname="${attr(op.file)}" name="${attr(name)}" time="${(op.elapsedMs / 1000).toFixed(3)}"${op.line ? ` file="${attr(op.file)}" line="${op.line}"` : ''}`;
  if (op.status === 'skipped') return [`${open}>`, `      <skipped message="${attr(op.skip ?? 'skipped')}"/>`, '    </testcase>'];
  const detail = text(stripVTControlCharacters(formatOpTable(op, { verbose: options.verbose })));
  // An expected failure passes, as vitest's it.fails does; what it found goes beside it.
  if (op.status === 'pass' && op.expect === 'fail') return [`${open}>`, `      <system-out>${detail}</system-out>`, '    </testcase>'];
  if (op.status === 'pass') return [`${open}/>`];
  if (op.status === 'error') {
    return [`${open}>`, `      <error message="${attr(op.error ?? 'the op could not run')}" type="OpError">${detail}</error>`, '    </testcase>'];
  }
  const worst = op.inputs.filter((input) => !input.passed).map((input) => `${rowLabel(input)}: ${formatExp(input.relErr)}`);
  const diagnoses = op.diagnoses.map((d) => d.message);
  const message = (op.outcome === 'pass' ? diagnoses : [`relative error ${formatExp(op.maxRelErr)} above tolerance ${formatExp(op.tolerance, 0)}`, ...worst, ...diagnoses]).join('; ');
  return [`${open}>`, `      <failure message="${attr(message)}" type="GradientMismatch">${detail}</failure>`, '    </testcase>'];
}

/** XML 1.0 allows no control characters but tab, newline and carriage return. */
function clean(value: string): string {
  return value.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '');
}

function text(value: string): string {
  return clean(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function attr(value: string): string {
  return text(value).replace(/"/g, '&quot;').replace(/\n/g, '&#10;');
}
