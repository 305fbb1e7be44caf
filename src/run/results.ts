// What the isolated run adds to the report model (model/build.ts): errors that surfaced after the
// code that caused them returned, and a placeholder report in the shape of its job.
import { stackOf, userLine } from '../model/build.ts';
import type { OpReport, OpSweep } from '../model/report.ts';
import type { Job, JobReport } from './protocol.ts';

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

/**
 * An error or placeholder report, made in a check's shape, in the shape its job reports: a sweep's
 * entries are OpSweep. Used by the scheduler (timeouts, crashes) and the workers (load errors) alike.
 */
export function inJobShape(job: Job, report: OpReport): JobReport {
  if (job !== 'sweep') return report;
  const { file, name, status, elapsedMs, tolerance, evaluations, line, error, stack, skip } = report;
  const sweep: OpSweep = { file, name, status, elapsedMs, tolerance, evaluations, line, error, stack, ...(skip !== undefined ? { skip } : {}), inputs: [] };
  return sweep;
}
