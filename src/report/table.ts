// The terminal report: one relative-error table per op, diagnoses under it, a summary line last.
import { chalk } from './color.ts';
import Table from 'cli-table3';
import type { OutputReport } from '../model/report.ts';
import type { InputReport, JointComparison, OpReport, RunReport } from '../model/report.ts';
import { formatExp, formatInputList, formatOutputError, formatShape, formatTolerances, formatValue, formatWorstIndex, opLocation, rowLabel, summaryCounts } from './format.ts';
import { fitColumns, joinParts, wrapLine } from './layout.ts';
import type { ColumnKind } from './layout.ts';
import { plural } from '../model/words.ts';
import type { ReportOptions, Writer } from './format.ts';
import { terminalLine, terminalLines } from './safe-text.ts';

const BADGE = {
  pass: chalk.bgGreen.black(' PASS '),
  fail: chalk.bgRed.white(' FAIL '),
  error: chalk.bgMagenta.white(' ERROR '),
  skipped: chalk.bgBlue.white(' SKIP '),
  inconclusive: chalk.bgYellow.black(' PASS (inconclusive) '),
  expectedFailure: chalk.bgYellow.black(' EXPECTED FAIL '),
};

function badgeOf(op: OpReport): string {
  if (op.status === 'pass' && op.expect === 'fail') return BADGE.expectedFailure;
  return op.status === 'pass' && op.verdict === 'inconclusive' ? BADGE.inconclusive : BADGE[op.status];
}

/** How the check ran, when it was not the plain first-order, central, element-wise check. */
function howChecked(op: OpReport): string {
  const parts: string[] = [];
  if (op.mode === 'fast') parts.push('fast mode (uᵀJv)');
  if (op.mode === 'fast-then-element-wise') parts.push('fast mode failed, then element-wise');
  if (op.mode === 'fast-then-directional') parts.push('fast mode failed, then each input along random directions');
  if (op.mode === 'float32-directional') parts.push('along random directions');
  if (op.order === 2) parts.push('order 2');
  if (op.method && op.method !== 'central') parts.push(op.method);
  return parts.length > 0 ? chalk.dim(parts.join(', ')) : '';
}

function inputVerdict(input: InputReport): string {
  if (input.constant) return chalk.dim('constant');
  if (!input.passed) return chalk.red.bold('FAIL');
  return input.verdict === 'inconclusive' ? chalk.yellow('inconclusive') : chalk.green('ok');
}

export function formatOpTable(op: OpReport, options: ReportOptions = {}): string {
  const { width } = options;
  const wrap = (line: string) => wrapLine(line, width);
  const title = `${op.status === 'skipped' ? BADGE.skipped : badgeOf(op)} ${chalk.bold(terminalLine(op.name))}`;
  if (op.status === 'skipped') return joinParts([title, chalk.dim(terminalLine(opLocation(op))), chalk.dim(terminalLine(op.skip ?? 'skipped'))], width);
  // A float32 op is held to its own, looser tolerance: say so beside it, not only in the summary's run tolerance.
  const precision = op.precision === 'float32' ? [chalk.dim(`float32, tolerance ${formatExp(op.tolerance, 0)}`)] : [];
  const how = howChecked(op);
  const lines = [joinParts([title, chalk.dim(terminalLine(opLocation(op))), chalk.dim(`${op.elapsedMs.toFixed(1)} ms`), ...precision, ...(how ? [how] : [])], width)];
  if (op.expect === 'fail' && op.status === 'pass') {
    lines.push(wrap(`  ${chalk.yellow(`expected to fail (expect: 'fail'): it ${op.outcome === 'error' ? 'could not run' : 'fails'}, as expected, and the run stays green`)}`));
  }
  if (op.error !== undefined && (op.status === 'error' || op.outcome === 'error')) {
    lines.push(wrap(`  ${chalk.magenta(terminalLine(op.error))}`));
    if (options.verbose && op.stack) lines.push(chalk.dim(terminalLines(op.stack).replace(/^/gm, '    ')));
  }
  // Fast mode's inputs have no numbers of their own: the joint comparison is all there is.
  if (op.joint) lines.push(...formatJoint(op.joint, op.inputs, op.mode === 'fast').map(wrap));
  if (op.mode !== 'fast' && op.inputs.length > 0) lines.push(formatInputsTable(op.inputs, width));
  if (op.mode === 'float32-directional' && op.inputs.length > 0) lines.push(wrap(`  ${chalk.dim(FLOAT32_NOTE)}`));
  if (op.outputs) lines.push(wrap(`  ${chalk.dim('outputs, each alone:')} ${op.outputs.map(formatOutput).join(', ')}`));
  for (const diagnosis of op.diagnoses) {
    const where = diagnosis.input ? ` (${terminalLine(diagnosis.input)})` : '';
    lines.push(wrap(`  ${chalk.yellow(`⚠ ${diagnosis.code}${where}:`)} ${terminalLine(diagnosis.message)}`));
  }
  lines.push(...formatBeyond(op, width).map(wrap));
  return lines.join('\n');
}

/** One output checked alone: its name and shape, its uᵀJv error and verdict. */
function formatOutput(output: OutputReport): string {
  const verdict = output.passed ? chalk.green('ok') : chalk.red.bold('FAIL');
  return `${terminalLine(output.name)} ${formatShape(output.shape)} ${formatOutputError(output)} ${verdict}`;
}

/** The points checked beyond the drawn one: a failing point's table, a shrunk case to paste, or one line saying they passed. */
function formatBeyond(op: OpReport, width: number | undefined): string[] {
  const points = op.points ?? [];
  if (points.length === 0) return [];
  const failing = points.find((point) => point.status === 'fail');
  const lines: string[] = [];
  if (failing?.inputs && failing.inputs.length > 0) {
    const sizes = failing.dims ? `, ${Object.entries(failing.dims).map(([name, size]) => `${name} = ${size}`).join(', ')}` : '';
    lines.push(`  ${chalk.dim(terminalLine(`at point ${failing.index} (${failing.drawn}${sizes}):`))}`, formatInputsTable(failing.inputs, width));
  }
  if (op.minimal) {
    const sizes = terminalLine(Object.entries(op.minimal.dims).map(([name, size]) => `${name}: ${size}`).join(', '));
    lines.push(`  ${chalk.yellow('smallest failing case')}${sizes ? ` (dims ${sizes})` : ''}, to paste into the op file:`);
    for (const [name, input] of Object.entries(op.minimal.inputs)) {
      lines.push(`    ${terminalLine(name)}: { shape: [${input.shape.join(', ')}], values: [${input.values.join(', ')}] },`);
    }
  }
  if (!failing && !points.some((point) => point.status === 'unstable')) {
    const count = (status: string) => points.filter((point) => point.status === status).length;
    const notes = [['skipped', 'skipped (forward not finite)'], ['inconclusive', 'inconclusive'], ['error', 'could not run']]
      .flatMap(([status, said]) => (count(status) > 0 ? [`${count(status)} ${said}`] : []));
    lines.push(`  ${chalk.dim(`beyond the drawn point: ${plural(points.length, 'more point')} checked, ${count('pass')} passed${notes.length > 0 ? `, ${notes.join(', ')}` : ''}`)}`);
  }
  return lines;
}

/** What a float32 table's columns measure: they come from two different comparisons. */
export const FLOAT32_NOTE =
  'float32: rel. error along random directions, spanning every input where they clearly pass, else per input (decides at the tolerance); worst element, analytic and numeric from an element-wise pass (decides at 1e-2)';

/** Fast mode: the one joint comparison on one line, then the inputs it spanned, by shape only. */
function formatJoint(joint: JointComparison, inputs: InputReport[], listInputs: boolean): string[] {
  const error = joint.passed ? formatExp(joint.relErr) : chalk.red(formatExp(joint.relErr));
  const values = `analytic ${formatValue(joint.analytic)}, numeric ${formatValue(joint.numeric)}`;
  return [
    `  uᵀJv, all inputs at once: rel. error ${error} at ε = ${formatExp(joint.bestEps, 0)} (${values})  ${joint.passed ? chalk.green('ok') : chalk.red.bold('FAIL')}`,
    ...(listInputs ? [`  ${chalk.dim('inputs:')} ${terminalLine(formatInputList(inputs))}`] : []),
  ];
}

const HEAD = ['input', 'shape', 'best ε', 'rel. error', 'worst element', 'analytic', 'numeric', 'verdict'];
const KINDS: ColumnKind[] = ['text', 'text', 'number', 'number', 'text', 'number', 'number', 'number'];

function formatInputsTable(inputs: InputReport[], width?: number): string {
  const rows = inputs.map(inputRow);
  // Indented tables elsewhere fit the width the lines around them do: the table starts at column 0.
  const fit = fitColumns(HEAD, rows, KINDS, width);
  const table = new Table({
    head: HEAD.map((h) => chalk.bold(h)),
    style: { head: [], border: [], ...(fit ? { 'padding-right': fit.paddingRight } : {}) },
    ...(fit ? { colWidths: fit.colWidths, wordWrap: true } : {}),
  });
  table.push(...rows);
  return table.toString();
}

/** One input's row of cells: a label, its shape, and the numbers of its comparison (none for a constant). */
function inputRow(input: InputReport): string[] {
  if (input.constant) return [terminalLine(rowLabel(input)), formatShape(input.shape), '—', '—', '—', '—', '—', inputVerdict(input)];
  const paint = input.passed ? (text: string) => text : chalk.red;
  return [
    terminalLine(rowLabel(input)),
    formatShape(input.shape),
    formatExp(input.bestEps, 0),
    paint(formatExp(input.relErr)),
    formatWorstIndex(input),
    formatValue(input.worst.analytic),
    formatValue(input.worst.numeric),
    inputVerdict(input),
  ];
}

export function formatSummary(report: RunReport, width?: number): string {
  const { passed, failed, errors, skipped, expectedFailures, files } = summaryCounts(report);
  const parts = [
    chalk.green(`${passed} passed`),
    ...(expectedFailures > 0 ? [chalk.yellow(`${expectedFailures} expected to fail`)] : []),
    failed ? chalk.red(`${failed} failed`) : `${failed} failed`,
    errors ? chalk.magenta(plural(errors, 'error')) : plural(errors, 'error'),
    ...(skipped > 0 ? [chalk.blue(`${skipped} skipped`)] : []),
  ];
  const head = `${plural(report.ops.length, 'op')} in ${plural(files, 'file')}: ${parts.join(', ')}`;
  return joinParts([head, chalk.dim(`(${formatTolerances(report)}, seed ${report.seed})`)], width);
}

/** The tables of some ops, as a file's part of the terminal report: each followed by a blank line. */
export function formatOpTables(ops: readonly OpReport[], options: ReportOptions = {}): string {
  return ops.map((op) => `${formatOpTable(op, options)}\n\n`).join('');
}

export function printTable(report: RunReport, out: Writer, options: ReportOptions = {}): void {
  out.write(formatOpTables(report.ops, options));
  out.write(`${formatSummary(report, options.width)}\n`);
}
