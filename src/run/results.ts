// Run reports from op reports, and the one-line errors in them: plain functions shared by the
// library, the CLI's main thread and its workers. Nothing here imports the checker, so the CLI's
// main thread, which only gathers and prints reports, never loads the numeric core.
import { relative } from 'node:path';
import { stackLocations } from '../op/stack.ts';
import { DEFAULT_SEED, DEFAULT_TOLERANCE } from '../check/types.ts';
import type { CheckOptions, OpReport, RunReport, Status } from '../check/types.ts';
import type { OpSweep } from '../check/sweep.ts';
import type { Job, JobReport, OpHeader } from './protocol.ts';

/** A run's report from its ops' reports: a check's (RunReport) or, from OpSweep entries, a sweep's (SweepReport). */
export function summarize<R extends { status: Status }>(ops: R[], options: CheckOptions): Omit<RunReport, 'ops'> & { ops: R[] } {
  return {
    passed: ops.every((op) => op.status === 'pass'),
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
export function opErrorReport(file: string, op: OpHeader, reason: string, stack: string | undefined, options: CheckOptions): OpReport {
  const where = op.line ? `${file}:${op.line}` : file;
  return { ...fileErrorReport(file, `${where}: op '${op.name}' ${reason}`, stack, options), name: op.name, line: op.line };
}

/** An op that the run never reached: interrupted (Ctrl-C) before it started. */
export function notRunReport(file: string, op: OpHeader, options: CheckOptions): OpReport {
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
function userLine(stack: string | undefined, sourceFile: string): number | undefined {
  return stackLocations(stack).find((location) => location.file === sourceFile)?.line;
}

/** esbuild's "Transform failed with 1 error:\nfile:3:86: ERROR: Unexpected ..." as one line. */
export function loadErrorMessage(shown: string, error: unknown, sourceFile: string): string {
  // Node names the module that imported a missing one: for the op file itself, that is gradcheck's loader.
  const message = (error instanceof Error ? error.message : String(error)).replace(/ imported from \S*\/load\/runtime\.[jt]s$/m, '');
  const syntax = /^(?:\S.*?):(\d+):(\d+): ERROR: (.*)$/m.exec(message);
  if (/Transform failed/.test(message) && syntax) return `${shown}:${syntax[1]}:${syntax[2]}: syntax error: ${syntax[3]}`;
  if (error instanceof SyntaxError) return `${shown}: syntax error: ${message.split('\n')[0]}`;
  const name = error instanceof Error && error.name !== 'Error' ? `${error.name}: ` : '';
  const line = userLine(stackOf(error), sourceFile);
  return `${shown}${line ? `:${line}` : ''}: importing the file threw ${name}${message.split('\n')[0]}`;
}

/**
 * An error that surfaced after the code that caused it returned (a promise rejection nobody
 * handled, a callback that threw), as one line: during or right after the file's import, or after
 * its ops returned.
 */
export function asyncErrorMessage(shown: string, kind: 'rejection' | 'exception', error: unknown, sourceFile: string, phase: 'import' | 'ops'): string {
  const message = error instanceof Error ? `${error.name !== 'Error' ? `${error.name}: ` : ''}${error.message}` : String(error);
  const line = userLine(stackOf(error), sourceFile);
  const what = {
    import: { rejection: 'importing the file left a promise rejection unhandled', exception: 'a callback set up at import threw' },
    ops: { rejection: 'an op left a promise rejection unhandled', exception: 'a callback set up by an op threw after the op returned' },
  }[phase][kind];
  return `${shown}${line ? `:${line}` : ''}: ${what}: ${message.split('\n')[0]}`;
}

/** The stack of a thrown Error; undefined for anything else thrown. */
export function stackOf(error: unknown): string | undefined {
  return error instanceof Error ? error.stack : undefined;
}

/**
 * An error or placeholder report, made in a check's shape, in the shape its job reports: a sweep's
 * entries are OpSweep. Used by the scheduler (timeouts, crashes) and the workers (load errors) alike.
 */
export function inJobShape(job: Job, report: OpReport): JobReport {
  if (job !== 'sweep') return report;
  const { file, name, status, elapsedMs, tolerance, evaluations, line, error, stack } = report;
  const sweep: OpSweep = { file, name, status, elapsedMs, tolerance, evaluations, line, error, stack, inputs: [] };
  return sweep;
}
