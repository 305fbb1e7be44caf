// Reports as data: a run's report from its ops', and the error entries that stand for an op or a file
// the check could not run. Plain functions shared by the library, the CLI's main thread, its workers
// and the loader; nothing here imports the checker.
import { relative } from 'node:path';
import { stackLocations } from '../spec/stack.ts';
import { DEFAULT_SEED, DEFAULT_TOLERANCE } from './defaults.ts';
import type { CheckOptions } from './options.ts';
import type { OpReport, RunReport, Status } from './report.ts';

/** What names an op the run did not check: its name and line, as the file's import announced it. */
interface OpName {
  name: string;
  line?: number;
}

/** A run's report from its ops' reports: a check's (RunReport) or, from OpSweep entries, a sweep's (SweepReport). */
export function summarize<R extends { status: Status }>(ops: R[], options: CheckOptions): Omit<RunReport, 'ops'> & { ops: R[] } {
  return {
    // A skipped op leaves the run green, as a skipped test does.
    passed: ops.every((op) => op.status === 'pass' || op.status === 'skipped'),
    tolerance: options.tolerance ?? DEFAULT_TOLERANCE,
    seed: options.seed ?? DEFAULT_SEED,
    ops,
  };
}

/** A file as reports name it: relative to the working directory, unless it lies outside it. */
export function displayPath(file: string): string {
  const shown = relative(process.cwd(), file);
  return shown.startsWith('..') ? file : shown;
}

/** The report of a file that could not be loaded (or held no op): one error entry named '(file)'. */
export function fileErrorReport(file: string, message: string, stack: string | undefined, options: CheckOptions): OpReport {
  return {
    file,
    name: '(file)',
    status: 'error',
    elapsedMs: 0,
    maxRelErr: NaN,
    tolerance: options.tolerance ?? DEFAULT_TOLERANCE,
    precision: 'float64',
    mode: 'element-wise',
    evaluations: 0,
    error: message,
    stack,
    diagnoses: [],
    inputs: [],
  };
}

/** The report of an op the scheduler had to stop (a timeout, a crash, running out of memory, an interrupt). */
export function opErrorReport(file: string, op: OpName, reason: string, stack: string | undefined, options: CheckOptions): OpReport {
  const where = op.line ? `${file}:${op.line}` : file;
  return { ...fileErrorReport(file, `${where}: op '${op.name}' ${reason}`, stack, options), name: op.name, line: op.line };
}

/** An op that the run never reached: interrupted (Ctrl-C) before it started. */
export function notRunReport(file: string, op: OpName, options: CheckOptions): OpReport {
  return opErrorReport(file, op, 'was not run: the run was interrupted before it started', undefined, options);
}

/** A file that the run never reached: interrupted before its import began. */
export function fileNotRunReport(file: string, options: CheckOptions): OpReport {
  return fileErrorReport(file, `${file}: not run: the run was interrupted before the file was imported`, undefined, options);
}

/** The fields every per-op report has, whether a check's (OpReport) or a sweep's (OpSweep). */
interface AnyOpReport {
  file: string;
  name: string;
  status: Status;
  line?: number;
  error?: string;
  stack?: string;
}

/** An op's error as one self-contained line: file, line, op, what went wrong, and where in the user's code. */
export function qualifyError<R extends AnyOpReport>(report: R, sourceFile?: string): R {
  if (report.status !== 'error' || report.error === undefined) return report;
  const where = report.line ? `${report.file}:${report.line}` : report.file;
  const frame = sourceFile ? userLine(report.stack, sourceFile) : undefined;
  const at = frame !== undefined && frame !== report.line ? ` (at line ${frame})` : '';
  return { ...report, error: `${where}: op '${report.name}': ${report.error}${at}` };
}

/** The line of the first stack frame in the op file itself: where the user's code threw. */
export function userLine(stack: string | undefined, sourceFile: string): number | undefined {
  return stackLocations(stack).find((location) => location.file === sourceFile)?.line;
}

/** The stack of a thrown Error; undefined for anything else thrown. */
export function stackOf(error: unknown): string | undefined {
  return error instanceof Error ? error.stack : undefined;
}

