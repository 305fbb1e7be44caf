// How a command ends: its exit code, and the error that means the command line itself was wrong.
// Every command returns one of EXIT's codes, or a stop signal's; main turns a thrown UsageError (or
// commander's own parse errors) into one line and the usage hint, so no command prints usage errors itself.
import { constants } from 'node:os';

/** The exit codes of every command; 130 is the convention for a process stopped by SIGINT (128 + 2). */
export const EXIT = { pass: 0, fail: 1, error: 2, interrupted: 130 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * The signals that end a run early, its report still printed: Ctrl-C (SIGINT), a CI cancellation
 * or `timeout` (SIGTERM), a closed terminal (SIGHUP).
 */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/** 128 + the signal's number, as a shell reports a process the signal ended: 130, 143, 129. */
export function signalExitCode(signal: StopSignal): number {
  return 128 + constants.signals[signal];
}

/** An exit code that says a stop signal ended the command. */
export function isSignalExit(code: number): boolean {
  return STOP_SIGNALS.some((signal) => signalExitCode(signal) === code);
}

/** The line that follows every usage error. */
export const USAGE_HINT = '(run gradcheck --help for usage)';

/** Bad arguments: main prints `gradcheck: <message>` and the usage hint, and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * A run that found no op to check (an empty folder, a glob matching nothing, --op naming none): in
 * CI that is a job whose op files moved, so it fails (exit 2) unless --pass-with-no-ops. main prints
 * the one line, without the usage hint: the command line was well formed.
 */
export class NoOpsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoOpsError';
  }
}

/** A command a stop signal ended before it had a report to print (while loading the config): main prints the message and exits with the signal's code. */
export class StoppedError extends Error {
  constructor(
    message: string,
    readonly signal: StopSignal,
  ) {
    super(message);
    this.name = 'StoppedError';
  }
}

/**
 * The exit code of a run or sweep: a stop signal's before anything else, since the report is
 * partial; then an op that could not run, then a failed check; 0 when every op passed.
 */
export function runExitCode(report: { ops: readonly { status: string }[] }, stoppedBy?: StopSignal): number {
  if (stoppedBy) return signalExitCode(stoppedBy);
  if (report.ops.some((op) => op.status === 'error')) return EXIT.error;
  if (report.ops.some((op) => op.status === 'fail')) return EXIT.fail;
  return EXIT.pass;
}
