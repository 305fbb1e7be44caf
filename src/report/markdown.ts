// `--reporter markdown`, and the GitHub step summary: the run as Markdown tables.
import type { InputReport, OpReport, RunReport } from '../model/report.ts';
import { formatExp, formatInputList, formatOutputError, formatShape, formatTolerances, formatValue, formatWorstIndex, opLocation, rowLabel, summaryCounts } from './format.ts';
import { plural } from '../model/words.ts';
import { markdownCode, markdownText } from './safe-text.ts';

const ICON = { pass: '✅', fail: '❌', error: '💥', skipped: '⏭️' } as const;

/** An op's icon, and for a failure that was expected, what it says beside the name. */
function iconOf(op: OpReport): string {
  return op.status === 'pass' && op.expect === 'fail' ? '✅ (expected to fail)' : ICON[op.status];
}

export function formatMarkdown(report: RunReport): string {
  const { passed, failed, errors, skipped, expectedFailures, files } = summaryCounts(report);
  const counts = [`${passed} passed`, ...(expectedFailures > 0 ? [`${expectedFailures} expected to fail`] : []), `${failed} failed`, plural(errors, 'error'), ...(skipped > 0 ? [`${skipped} skipped`] : [])];
  const lines = [
    `## gradcheck: ${counts.join(', ')}`,
    '',
    `${plural(report.ops.length, 'op')} in ${plural(files, 'file')} · ${formatTolerances(report)} · seed ${report.seed}`,
    '',
    row(['', 'op', 'where', 'max rel. error', 'tolerance', 'time']),
    row(['---', '---', '---', '---:', '---:', '---:']),
    ...report.ops.map((op) =>
      op.status === 'skipped'
        ? row([iconOf(op), markdownText(op.name), code(opLocation(op)), `skipped: ${markdownText(op.skip ?? '')}`, '', ''])
        : row([iconOf(op), markdownText(op.name), code(opLocation(op)), formatExp(op.maxRelErr), formatExp(op.tolerance, 0), `${op.elapsedMs.toFixed(1)} ms`]),
    ),
  ];
  for (const op of report.ops) {
    if (op.status === 'skipped' || (op.status === 'pass' && op.diagnoses.length === 0 && op.expect !== 'fail')) continue;
    lines.push('', ...formatOpMarkdown(op));
  }
  return `${lines.join('\n')}\n`;
}

export function formatOpMarkdown(op: OpReport): string[] {
  const lines = [`### ${iconOf(op)} ${markdownText(op.name)} (${code(opLocation(op))})`, ''];
  if (op.error) lines.push(`> ${markdownText(op.error)}`, '');
  const { joint } = op;
  if (joint) {
    const error = joint.passed ? formatExp(joint.relErr) : `**${formatExp(joint.relErr)}**`;
    lines.push(`uᵀJv, all inputs at once${op.mode === 'fast' ? ' (fast mode)' : ''}: rel. error ${error} at ε = ${formatExp(joint.bestEps, 0)} (analytic ${formatValue(joint.analytic)}, numeric ${formatValue(joint.numeric)}), ${joint.passed ? 'ok' : '**FAIL**'}`, '');
  }
  // Fast mode's inputs have no numbers of their own: the joint comparison is all there is.
  if (op.mode === 'fast') {
    lines.push(`Inputs: ${markdownText(formatInputList(op.inputs))}`, '');
  } else if (op.inputs.length > 0) {
    lines.push(row(['input', 'shape', 'best ε', 'rel. error', 'worst element', 'analytic', 'numeric', 'verdict']));
    lines.push(row(['---', '---', '---:', '---:', '---', '---:', '---:', '---']));
    for (const input of op.inputs) lines.push(row(inputCells(input)));
    lines.push('');
  }
  if (op.outputs) {
    const outputs = op.outputs.map((output) => `${markdownText(output.name)} ${formatShape(output.shape)} ${formatOutputError(output)} ${output.passed ? 'ok' : '**FAIL**'}`);
    lines.push(`Outputs, each alone: ${outputs.join(', ')}`, '');
  }
  for (const diagnosis of op.diagnoses) lines.push(`- ⚠ **${diagnosis.code}**${diagnosis.input ? ` (${markdownText(diagnosis.input)})` : ''}: ${markdownText(diagnosis.message)}`);
  return lines;
}

function inputCells(input: InputReport): string[] {
  if (input.constant) return [markdownText(rowLabel(input)), formatShape(input.shape), '—', '—', '—', '—', '—', 'constant'];
  return [
    markdownText(rowLabel(input)),
    formatShape(input.shape),
    formatExp(input.bestEps, 0),
    input.passed ? formatExp(input.relErr) : `**${formatExp(input.relErr)}**`,
    formatWorstIndex(input),
    formatValue(input.worst.analytic),
    formatValue(input.worst.numeric),
    input.passed ? (input.verdict === 'inconclusive' ? 'inconclusive' : 'ok') : '**FAIL**',
  ];
}

/** A table row of cells already made safe (op text through markdownText or code). */
function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** A file location as a code span; in a table cell its `|` is escaped, as GitHub's tables read it. */
function code(text: string): string {
  return markdownCode(text).replace(/\|/g, '\\|');
}
