// `gradcheck sweep` in the terminal: per input, the U-curve chart, the relative error at every step,
// and the step to use.
import { chalk } from './color.ts';
import Table from 'cli-table3';
import type { InputSweep, OpSweep, SweepReport } from '../model/report.ts';
import { describeOrder } from '../model/words.ts';
import { formatUCurve } from './chart.ts';
import { formatExp, formatShape, opLocation } from './format.ts';
import type { ReportOptions, Writer } from './format.ts';
import { terminalLine, terminalLines } from './safe-text.ts';
import { wrapLine } from './layout.ts';

/** No rules between rows: twelve steps stay twelve lines. */
export const COMPACT = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

/** One sentence: where the minimum is, which steps stay within the tolerance, which step to use. */
export function describeSweep(input: InputSweep, tolerance: number): string {
  const minimum = `minimum ${formatExp(input.minimum.relErr)} at ε = ${formatExp(input.minimum.eps, 0)}`;
  const band = input.band
    ? input.band.largestEps === input.band.smallestEps
      ? `within tolerance ${formatExp(tolerance, 0)} only at ε = ${formatExp(input.band.largestEps, 0)}`
      : `within tolerance ${formatExp(tolerance, 0)} for ε from ${formatExp(input.band.largestEps, 0)} down to ${formatExp(input.band.smallestEps, 0)}`
    : `no step within tolerance ${formatExp(tolerance, 0)}`;
  const along = input.measured === 'direction' ? 'along a random direction, ' : '';
  const order = input.convergence ? `; ${describeOrder(input.convergence)}` : '';
  return `${along}${minimum}; ${band}; recommended ε = ${formatExp(input.recommendedEps, 0)}${order}`;
}

export function formatSweepTable(input: InputSweep, tolerance: number): string {
  const table = new Table({ head: ['ε', 'rel. error', ''].map((h) => chalk.bold(h)), style: { head: [], border: [] }, chars: COMPACT });
  for (const point of input.sweep) {
    const within = point.relErr <= tolerance;
    const note = point === input.minimum ? chalk.bold.cyan('◆ minimum') : within ? chalk.green('within tolerance') : '';
    table.push([formatExp(point.eps, 0), within ? formatExp(point.relErr) : chalk.red(formatExp(point.relErr)), note]);
  }
  return table.toString();
}

export function formatOpSweep(op: OpSweep, options: ReportOptions = {}): string {
  const wrap = (line: string) => wrapLine(line, options.width);
  if (op.status === 'skipped') return wrap(`${chalk.bgBlue.white(' SKIP ')} ${chalk.bold(terminalLine(op.name))}  ${chalk.dim(terminalLine(opLocation(op)))}  ${chalk.dim(terminalLine(op.skip ?? 'skipped'))}`);
  const status = op.status === 'error' ? chalk.bgMagenta.white(' ERROR ') : op.status === 'pass' ? chalk.bgGreen.black(' PASS ') : chalk.bgRed.white(' FAIL ');
  const lines = [wrap(`${status} ${chalk.bold(terminalLine(op.name))}  ${chalk.dim(terminalLine(opLocation(op)))}  ${chalk.dim(`${op.elapsedMs.toFixed(1)} ms, ${op.evaluations} evaluations`)}`)];
  if (op.error) {
    lines.push(wrap(`  ${chalk.magenta(terminalLine(op.error))}`));
    if (options.verbose && op.stack) lines.push(chalk.dim(terminalLines(op.stack).replace(/^/gm, '    ')));
  }
  for (const input of op.inputs) {
    const measured = input.measured === 'direction'
      ? `relative error along a random direction at each step (${input.shape.reduce((a, b) => a * b, 1).toLocaleString('en-US')} elements: too many to sweep one by one)`
      : 'largest element-wise relative error at each step';
    lines.push('', wrap(`${chalk.bold(`input ${terminalLine(input.name)}`)} ${formatShape(input.shape)}: ${measured}`), '');
    lines.push(formatUCurve(input.sweep, op.tolerance, options.width), '', formatSweepTable(input, op.tolerance));
    lines.push(wrap(`${input.passed ? chalk.green('→') : chalk.red('→')} ${describeSweep(input, op.tolerance)}`));
  }
  return lines.join('\n');
}

export function printSweep(report: SweepReport, out: Writer, options: ReportOptions = {}): void {
  for (const op of report.ops) out.write(`${formatOpSweep(op, options)}\n\n`);
}
