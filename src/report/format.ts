// Number and name formatting shared by the reporters.
import type { InputReport, OpReport, OutputReport, RunReport } from '../model/report.ts';
import { formatShape } from '../core/shape.ts';
import { toleranceFor } from '../model/defaults.ts';

export { formatShape };

export interface Writer {
  write(text: string): unknown;
}

export interface ReportOptions {
  verbose?: boolean;
  /** The terminal's width: long lines are wrapped and tables narrowed to it (none: lines as they are). */
  width?: number;
}

/** One output checked alone: its uᵀJv error, or that its check could not run. */
export function formatOutputError(output: OutputReport): string {
  return Number.isNaN(output.relErr) ? 'could not run' : formatExp(output.relErr);
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

export interface SummaryCounts {
  /** Passed as checked; `expectedFailures` (ops marked expect: 'fail' that failed) are counted apart. */
  passed: number;
  failed: number;
  errors: number;
  skipped: number;
  expectedFailures: number;
  files: number;
}

export function summaryCounts(report: { ops: readonly Pick<OpReport, 'status' | 'file' | 'expect'>[] }): SummaryCounts {
  const count = (status: string) => report.ops.filter((op) => op.status === status).length;
  const expectedFailures = report.ops.filter((op) => op.status === 'pass' && op.expect === 'fail').length;
  return {
    passed: count('pass') - expectedFailures,
    failed: count('fail'),
    errors: count('error'),
    skipped: count('skipped'),
    expectedFailures,
    files: new Set(report.ops.map((op) => op.file)).size,
  };
}

/**
 * The tolerance the ops were held to, per precision where they differ: float32 ops are held to
 * 1e-4 whatever a smaller run tolerance says, so 'tolerance 1e-7' alone would misstate them. Ops
 * held to a tolerance of their own (their spec's, the config's) are counted beside it.
 */
export function formatTolerances(report: { tolerance: number; ops: readonly Pick<OpReport, 'name' | 'status' | 'precision' | 'tolerance'>[] }): string {
  const checked = report.ops.filter((op) => op.name !== '(file)' && op.status !== 'skipped');
  const precisions = (['float64', 'float32'] as const).filter((precision) => checked.some((op) => op.precision === precision));
  const groups = precisions.map((precision) => {
    const held = toleranceFor(precision, undefined, report.tolerance);
    const others = new Map<number, number>();
    for (const op of checked) if (op.precision === precision && op.tolerance !== held) others.set(op.tolerance, (others.get(op.tolerance) ?? 0) + 1);
    return { precision, held, others };
  });
  if (groups.length === 0) return `tolerance ${formatExp(report.tolerance, 0)}`;
  const uniform = groups.every((group) => group.held === groups[0].held && group.others.size === 0);
  if (uniform && !(groups.length === 1 && groups[0].precision === 'float32')) return `tolerance ${formatExp(groups[0].held, 0)}`;
  const named = groups.length > 1 || groups[0].precision === 'float32';
  const parts = groups.map(({ precision, held, others }) => {
    const own = [...others].map(([tolerance, ops]) => `${formatExp(tolerance, 0)} for ${ops} op${ops === 1 ? '' : 's'}`);
    return `${named ? `${precision} ` : ''}${formatExp(held, 0)}${own.length > 0 ? ` (${own.join(', ')})` : ''}`;
  });
  return `tolerance ${parts.join(', ')}`;
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
