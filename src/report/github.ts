// `--reporter github`: the terminal tables for the log, an `::error` annotation per failing op (on
// the line of its defineOp call, so it shows in the pull request's diff), and the Markdown summary
// appended to $GITHUB_STEP_SUMMARY when the job provides one.
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { OpReport, RunReport } from '../model/report.ts';
import { formatExp, formatShape, formatValue, formatWorstIndex } from './format.ts';
import type { ReportOptions, Writer } from './format.ts';
import { formatMarkdown } from './markdown.ts';
import { printTable } from './table.ts';
import { annotationMessage, annotationProperty, shortLine } from './safe-text.ts';
import { writeReportFiles } from './files.ts';
import type { ReportFile } from './files.ts';

export function formatAnnotations(report: RunReport, env: NodeJS.ProcessEnv = process.env): string[] {
  const workspace = env.GITHUB_WORKSPACE || process.cwd();
  return report.ops.filter((op) => op.status === 'fail' || op.status === 'error').map((op) => formatAnnotation(op, workspace));
}

/**
 * GitHub places an annotation on the diff only when its file is relative to the repository's root
 * (the workspace), with forward slashes. Reports name files relative to the working directory, which
 * a job may have moved into a subfolder, or absolute when they were given so from outside it.
 */
export function annotationPath(file: string, workspace: string): string {
  const path = relative(resolve(workspace), resolve(file));
  return path === '' || path.startsWith('..') || isAbsolute(path) ? file : path.split(sep).join('/');
}

export function formatAnnotation(op: OpReport, workspace: string = process.cwd()): string {
  const properties = [`file=${annotationProperty(annotationPath(op.file, workspace))}`];
  if (op.line) properties.push(`line=${op.line}`);
  const failed = op.status === 'fail';
  properties.push(`title=${annotationProperty(`gradcheck: ${shortLine(op.name)} ${failed ? 'failed' : 'could not run'}`)}`);
  // The op's own text (names, messages) is one line of the annotation; the annotation's lines are gradcheck's.
  const lines = failed ? failureLines(op) : [shortLine(op.error ?? 'the op could not run')];
  return `::error ${properties.join(',')}::${annotationMessage(lines.join('\n'))}`;
}

function failureLines(op: OpReport): string[] {
  // Expected to fail and passed: its diagnosis says so, and there is no error to quote.
  if (op.outcome === 'pass') return op.diagnoses.map((diagnosis) => shortLine(diagnosis.message));
  const lines = [`relative error ${formatExp(op.maxRelErr)} above tolerance ${formatExp(op.tolerance, 0)}`];
  for (const input of op.inputs.filter((i) => !i.passed)) {
    const index = formatWorstIndex(input);
    lines.push(`${input.ad === 'forward' ? 'jvp of input' : 'input'} ${shortLine(input.name)} ${formatShape(input.shape)}: ${formatExp(input.relErr)}${index === '—' ? '' : ` at ${index}`} (analytic ${formatValue(input.worst.analytic)}, numeric ${formatValue(input.worst.numeric)}, ε ${formatExp(input.bestEps, 0)})`);
  }
  for (const diagnosis of op.diagnoses) lines.push(shortLine(diagnosis.message));
  return lines;
}

/** The tables for the log, then the annotations. */
export function printAnnotated(report: RunReport, out: Writer, options: ReportOptions = {}, env: NodeJS.ProcessEnv = process.env): void {
  printTable(report, out, options);
  for (const annotation of formatAnnotations(report, env)) out.write(`${annotation}\n`);
}

/** The Markdown summary to append to $GITHUB_STEP_SUMMARY, when the job provides one. */
export function stepSummary(report: RunReport, env: NodeJS.ProcessEnv = process.env): ReportFile[] {
  const path = env.GITHUB_STEP_SUMMARY;
  return path ? [{ path, text: () => `${formatMarkdown(report)}\n`, what: 'the step summary ($GITHUB_STEP_SUMMARY)', append: true }] : [];
}

/** `--reporter github`: the tables, the annotations, and the step summary (a ReportFileError if it cannot be appended to). */
export function printGithub(report: RunReport, out: Writer, options: ReportOptions = {}, env: NodeJS.ProcessEnv = process.env): void {
  printAnnotated(report, out, options, env);
  writeReportFiles(stepSummary(report, env));
}
