// Number and name formatting shared by the reporters.
import type { OpReport, RunReport } from '../check/types.ts';

export { formatShape } from '../core/shape.ts';

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

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}
