// How a command ends: its exit code, and the error that means the command line itself was wrong.
// Every command returns one of EXIT's codes; main turns a thrown UsageError (or commander's own
// parse errors) into one line and the usage hint, so no command prints usage errors itself.

/** The exit codes of every command; 130 is the convention for a process stopped by SIGINT (128 + 2). */
export const EXIT = { pass: 0, fail: 1, error: 2, interrupted: 130 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

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
 * The exit code of a run or sweep: interrupted (Ctrl-C) before anything else, since the report is
 * partial; then an op that could not run, then a failed check; 0 when every op passed.
 */
export function runExitCode(report: { ops: readonly { status: string }[] }, interrupted = false): ExitCode {
  if (interrupted) return EXIT.interrupted;
  if (report.ops.some((op) => op.status === 'error')) return EXIT.error;
  if (report.ops.some((op) => op.status === 'fail')) return EXIT.fail;
  return EXIT.pass;
}
