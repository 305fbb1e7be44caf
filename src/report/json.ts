// `--json`: the run (or sweep) report as one JSON document. Stacks only with --verbose.
import type { ReportOptions, Writer } from './format.ts';
import { breakLegacyCommands } from './safe-text.ts';

/** Any report whose ops may carry a stack: `run`'s RunReport and `sweep`'s SweepReport. */
export interface JsonReport {
  ops: { stack?: string }[];
}

export function formatJson(report: JsonReport, options: ReportOptions = {}): string {
  const ops = report.ops.map(({ stack, ...op }) => (options.verbose && stack ? { ...op, stack } : op));
  // Infinity and NaN are not JSON: they become null rather than silently disappearing.
  const json = JSON.stringify({ ...report, ops }, (_key, value) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2);
  // Printed where a CI log reads it, an op's `##[` would be a workflow command: `[` escaped, the same string.
  return breakLegacyCommands(json, '\\u005b');
}

export function printJson(report: JsonReport, out: Writer, options: ReportOptions = {}): void {
  out.write(`${formatJson(report, options)}\n`);
}
