// Number and name formatting shared by the reporters.
import type { InputReport, OpReport, RunReport } from '../model/report.ts';
import { formatShape } from '../core/shape.ts';

export { formatShape };

export interface Writer {
  write(text: string): unknown;
}

export interface ReportOptions {
  verbose?: boolean;
}

/** 2.3e-11 style: relative errors and steps span many decades, so exponents read best. */
export function formatExp(value: number, digits = 1): string {
  if (Number.isNaN(value)) return '—';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return '0';
  return value.toExponential(digits).replace('e+', 'e');
}

/** Enough significant digits to see a 0.1% difference between analytic and numeric values. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return '—';
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  return magnitude >= 1e-4 && magnitude < 1e6 ? String(Number(value.toPrecision(8))) : value.toExponential(7);
}

export function opLocation(op: { file: string; line?: number }): string {
  return op.line ? `${op.file}:${op.line}` : op.file;
}

export function summaryCounts(report: RunReport): { passed: number; failed: number; errors: number; files: number } {
  const count = (status: string) => report.ops.filter((op) => op.status === status).length;
  return {
    passed: count('pass'),
    failed: count('fail'),
    errors: count('error'),
    files: new Set(report.ops.map((op) => op.file)).size,
  };
}


/** The row label: a forward-mode row checks the jvp, so it says so; reverse rows are the input's name. */
export function rowLabel(input: InputReport): string {
  return input.ad === 'forward' ? `JVP of ${input.name}` : input.name;
}

/** The worst element's index; '—' where no one element was compared (fast mode, directions). */
export function formatWorstIndex(input: InputReport): string {
  return input.worst.index.length > 0 || input.shape.length === 0 ? formatShape(input.worst.index) : '—';
}

/** The inputs of a joint comparison, as a list: name, shape, and whether it is a constant. */
export function formatInputList(inputs: InputReport[]): string {
  return inputs.map((input) => `${input.name} ${formatShape(input.shape)}${input.constant ? ' (constant)' : ''}`).join(', ');
}
