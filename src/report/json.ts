// `--json`: the run report as one JSON document. Stacks only with --verbose.
import type { RunReport } from '../check/types.ts';
import type { ReportOptions, Writer } from './format.ts';

export function formatJson(report: RunReport, options: ReportOptions = {}): string {
  const ops = report.ops.map(({ stack, ...op }) => (options.verbose && stack ? { ...op, stack } : op));
  // Infinity and NaN are not JSON: they become null rather than silently disappearing.
  return JSON.stringify({ ...report, ops }, (_key, value) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2);
}

export function printJson(report: RunReport, out: Writer, options: ReportOptions = {}): void {
  out.write(`${formatJson(report, options)}\n`);
}
