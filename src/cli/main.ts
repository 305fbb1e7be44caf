// The commander program: hands each command to its module and ends every command the same way. A
// command returns its exit code; a usage error, whether commander's (an unknown flag, a value its
// parser rejects) or a UsageError a command throws, is one line and the usage hint, exit code 2.
// Commands compute with the library API and print with reporters; flags come from options.ts.
import { Command, CommanderError } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { runCommand } from './commands/run.ts';
import { sweepCommand } from './commands/sweep.ts';
import { initCommand } from './commands/init.ts';
import { listCommand } from './commands/list.ts';
import { EXIT, NoOpsError, StoppedError, USAGE_HINT, UsageError, signalExitCode } from './exit.ts';
import { terminalLine } from '../report/safe-text.ts';
import { ReportFileError } from '../report/files.ts';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const COMMANDS = [runCommand, sweepCommand, listCommand, initCommand];

/** Commander's ways of ending after it printed what was asked for (help, the version): not errors. */
const DONE = new Set(['commander.helpDisplayed', 'commander.version', 'commander.help']);

export function buildProgram(setExitCode: (code: number) => void): Command {
  const program = new Command()
    .name('gradcheck')
    .description('Prove a backward pass right: analytic gradients against centered finite differences.')
    .version(version)
    // Commander throws its errors instead of exiting, and leaves printing them to main (`fail`).
    .exitOverride()
    .configureOutput({ outputError: () => {} });
  // addCommand, unlike program.command(), does not hand the program's settings down: without them a
  // command would print its own parse errors and exit the process itself.
  for (const command of COMMANDS) program.addCommand(command(setExitCode).copyInheritedSettings(program));
  return program;
}

/** Runs the CLI and returns the exit code: 0 all pass, 1 a check failed, 2 usage error or an op that could not run, 128 + n stopped by signal n (130 Ctrl-C, 143 SIGTERM, 129 SIGHUP). */
export async function main(argv: string[]): Promise<number> {
  // `gradcheck run … | head` closes the pipe early: that is the reader's choice, not a crash.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
  let exitCode: number = EXIT.pass;
  const program = buildProgram((code) => (exitCode = code));
  try {
    await program.parseAsync(flagsWithoutValues(argv));
  } catch (error) {
    return fail(error);
  }
  return exitCode;
}

/** Flags whose value may be left out, and what a value of theirs looks like. */
const OPTIONAL_VALUES: Record<string, (next: string) => boolean> = {
  '--bail': (next) => /^\d+$/.test(next),
  '--explore': (next) => /^\d+$/.test(next),
  // A ref, unless it names a file or folder on disk (or a glob): `--changed ops/` means the paths.
  '--changed': (next) => !existsSync(next) && !/[*?]/.test(next) && !next.startsWith('!'),
};

/**
 * Commander takes the argument after a flag whose value is optional as that value: `--bail ops/`
 * would read 'ops/' as a number of failures. Such a flag followed by anything else than a value of
 * its own is moved after the other arguments, where it takes none.
 */
export function flagsWithoutValues(argv: string[]): string[] {
  const end = argv.includes('--') ? argv.indexOf('--') : argv.length;
  const kept: string[] = [];
  const moved: string[] = [];
  for (let i = 0; i < end; i++) {
    const isValue = OPTIONAL_VALUES[argv[i]];
    const next = argv[i + 1];
    if (isValue && i + 1 < end && !next.startsWith('-') && !isValue(next)) moved.push(argv[i]);
    else kept.push(argv[i]);
  }
  return [...kept, ...moved, ...argv.slice(end)];
}

/** Prints what ended a command early, and gives its exit code. */
function fail(error: unknown): number {
  if (error instanceof CommanderError && DONE.has(error.code)) return EXIT.pass;
  if (error instanceof CommanderError || error instanceof UsageError) {
    // Commander words its messages 'error: …'; every usage error reads 'gradcheck: …'.
    const message = error.message.replace(/^error: /, '');
    process.stderr.write(`gradcheck: ${terminalLine(message)}\n${USAGE_HINT}\n`);
    return EXIT.error;
  }
  if (error instanceof ReportFileError) {
    // What was printed stands; each file that could not be written is a line of its own.
    for (const failure of error.failures) process.stderr.write(`gradcheck: ${terminalLine(failure)}\n`);
    return EXIT.error;
  }
  if (error instanceof NoOpsError) {
    process.stderr.write(`gradcheck: ${terminalLine(error.message)}\n`);
    return EXIT.error;
  }
  if (error instanceof StoppedError) {
    process.stderr.write(`gradcheck: ${terminalLine(error.message)} (${error.signal})\n`);
    return signalExitCode(error.signal);
  }
  // A config's error can quote what the config holds: one line, like every error.
  process.stderr.write(`gradcheck: ${terminalLine(error instanceof Error ? error.message : String(error))}\n`);
  return EXIT.error;
}
