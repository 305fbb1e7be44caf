// The commander program: parses arguments, hands each command to its module, and turns usage
// errors into one line and exit code 2. Commands compute with the library API and print with reporters.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { runCommand } from './commands/run.ts';
import { sweepCommand } from './commands/sweep.ts';
import { initCommand } from './commands/init.ts';
import { listCommand } from './commands/list.ts';
import { REPORTERS } from '../report/emit.ts';

export const EXIT = { pass: 0, fail: 1, error: 2 } as const;

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export function parsePositiveNumber(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new InvalidArgumentError(`expected a positive number, got '${value}'`);
  return number;
}

export function parseEpsList(value: string): number[] {
  const list = value.split(',').map((part) => part.trim()).filter(Boolean);
  if (list.length === 0) throw new InvalidArgumentError('expected a comma-separated list of steps, e.g. 1e-4,1e-5,1e-6');
  return list.map(parsePositiveNumber);
}

export function parseSeed(value: string): number {
  const seed = Number(value);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new InvalidArgumentError(`expected an integer from 0 to 4294967295, got '${value}'`);
  return seed;
}

export function parseTimeout(value: string): number {
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 0) throw new InvalidArgumentError(`expected a whole number of milliseconds (0 for no limit), got '${value}'`);
  return ms;
}

export function parseMemory(value: string): number {
  const mb = Number(value);
  if (!Number.isInteger(mb) || mb < 16) throw new InvalidArgumentError(`expected a whole number of megabytes, at least 16, got '${value}'`);
  return mb;
}

export function buildProgram(setExitCode: (code: number) => void): Command {
  const program = new Command()
    .name('gradcheck')
    .description('Prove a backward pass right: analytic gradients against centered finite differences.')
    .version(version)
    .showHelpAfterError('(run gradcheck --help for usage)')
    .exitOverride();

  program
    .command('run')
    .description('check every defineOp export of the given op files (directories: every .ts/.js file under them)')
    .argument('[paths...]', 'op files, directories or globs (default: files from gradcheck.config.ts)')
    .option('--tol <number>', 'largest relative error that passes (default 1e-7)', parsePositiveNumber)
    .option('--eps <list>', 'comma-separated steps to sweep (default 1e-1,...,1e-12)', parseEpsList)
    .option('--seed <n>', 'seed for inputs, cotangents and directions (default 0)', parseSeed)
    .addOption(new Option('--method <name>', 'finite-difference formula (default central)').choices(['central', 'five-point', 'richardson']))
    .addOption(new Option('--order <n>', 'derivative order to check: 2 checks the gradient of the gradient (default 1)').choices(['1', '2']).argParser((value) => Number(value) as 1 | 2))
    .addOption(new Option('--mode <name>', 'element-wise, fast (uᵀJv for a few random pairs) or auto: element-wise while cheap (default auto)').choices(['auto', 'element-wise', 'fast']))
    .option('--json', 'print one JSON document on stdout instead of tables')
    .option('--verbose', 'show stack traces of errors')
    .option('--watch', 're-run the affected op files whenever one is saved (until Ctrl-C)')
    .option('--op <name>', 'only the op with this name')
    .addOption(new Option('--reporter <name>', 'how to print the report').choices(REPORTERS).default('table'))
    .option('--junit <file>', 'also write JUnit XML to this file')
    .option('--html <file>', 'also write a self-contained HTML report to this file')
    .option('--timeout <ms>', 'stop an op (or a file\'s import) that runs longer, and report it as an error; 0: no limit', parseTimeout, 30_000)
    .option('--max-memory <mb>', 'JavaScript heap limit of the worker running the ops', parseMemory, 4096)
    .action(async (paths: string[], options) => setExitCode(await runCommand(paths, options)));

  program.addCommand(sweepCommand(setExitCode));
  program.addCommand(listCommand(setExitCode));
  program.addCommand(initCommand(setExitCode));

  return program;
}

/** Runs the CLI and returns the exit code: 0 all pass, 1 a check failed, 2 usage error or an op that could not run. */
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
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      const done = error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help';
      return done ? EXIT.pass : EXIT.error;
    }
    process.stderr.write(`gradcheck: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.error;
  }
  return exitCode;
}
