// Every command-line flag, declared once: its flag text, its help, how its value is parsed and what
// an absent flag means. A command names the flags it takes (addFlags), so a flag reads, parses and
// is described the same under run, sweep and list.
//
// No flag gets a commander default: an absent flag stays undefined, so that gradcheck.config.ts can
// fill it in (flags win over the config) and the library then applies its own default. The help
// prints the library's named constants, so what it says is what an absent flag does.
import { Argument, InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { AD_MODES, CHECK_DEFAULTS, DEFAULT_EPS, DEFAULT_EXPLORE_POINTS, DEFAULT_SEED, DEFAULT_TOLERANCE, FLOAT32_EPS, METHODS, MODES } from '../model/defaults.ts';
import { REPORTERS } from '../model/defaults.ts';
import type { ReporterName } from '../model/defaults.ts';
import { patternError } from '../model/selection.ts';
import type { Shard } from '../model/selection.ts';
import { DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_MS } from '../run/scheduler.ts';

// A number as people write one: decimal, optionally scientific. Number() alone would also take
// '0x10', '0b1', 'Infinity' and '' (as 0), none of which anyone means as a tolerance or a timeout.
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** The number `value` writes in decimal or scientific notation; NaN for anything else. */
function decimal(value: string): number {
  return DECIMAL.test(value) ? Number(value) : NaN;
}

export function parsePositiveNumber(value: string): number {
  const number = decimal(value);
  if (!Number.isFinite(number) || number <= 0) throw new InvalidArgumentError(`expected a positive number, got '${value}'`);
  return number;
}

export function parseEpsList(value: string): number[] {
  const list = value.split(',').map((part) => part.trim()).filter(Boolean);
  if (list.length === 0) throw new InvalidArgumentError('expected a comma-separated list of steps, e.g. 1e-4,1e-5,1e-6');
  return list.map(parsePositiveNumber);
}

export function parseSeed(value: string): number {
  const seed = decimal(value);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new InvalidArgumentError(`expected an integer from 0 to 4294967295, got '${value}'`);
  return seed;
}

export function parseCount(value: string): number {
  const count = decimal(value);
  if (!Number.isInteger(count) || count < 1) throw new InvalidArgumentError(`expected a whole number of points, at least 1, got '${value}'`);
  return count;
}

export function parseTimeout(value: string): number {
  const ms = decimal(value);
  if (!Number.isInteger(ms) || ms < 0) throw new InvalidArgumentError(`expected a whole number of milliseconds (0 for no limit), got '${value}'`);
  return ms;
}

export function parseMemory(value: string): number {
  const mb = decimal(value);
  if (!Number.isInteger(mb) || mb < 16) throw new InvalidArgumentError(`expected a whole number of megabytes, at least 16, got '${value}'`);
  return mb;
}

/** `--shard 2/3`: the second of three parts. */
export function parseShard(value: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(value.trim());
  const [index, count] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
  if (!(index >= 1 && count >= 1 && index <= count)) throw new InvalidArgumentError(`expected <index>/<count> with 1 ≤ index ≤ count, such as 1/3, got '${value}'`);
  return { index, count };
}

/** A flag given more than once collects its values: `--op a --op b`. */
function collect<T>(parse: (value: string) => T): (value: string, previous: unknown) => T[] {
  return (value, previous) => [...(Array.isArray(previous) ? (previous as T[]) : []), parse(value)];
}

function pattern(value: string): string {
  const bad = patternError(value);
  if (bad) throw new InvalidArgumentError(bad);
  return value;
}

/** A file to write: an empty name (an unset shell variable, say) would fail only after the whole run. */
export function parseFileName(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError(`expected a file name, got '${value}'`);
  return value;
}

export interface Flag {
  /** The flag and its value's placeholder, as commander takes them: '--tol <number>'. */
  flags: string;
  description: string;
  /** The values accepted, checked before `parse` and listed in the help. */
  choices?: readonly string[];
  /** From the argument (and the value so far, for a flag given again) to the option's value; throws InvalidArgumentError, which is a usage error. */
  parse?: (value: string, previous: unknown) => unknown;
  /** Left out of the help (the hidden `--output-file.<reporter>` flags, which `--output-file` describes). */
  hidden?: boolean;
  /** What an absent flag means, as the help says it (not applied here: see the top of the file). */
  default?: string;
}

const steps = (list: readonly number[]) => `${list[0].toExponential()},...,${list[list.length - 1].toExponential()}`;

// emitRunReport's reporter when none is named; the checker's defaults are model/defaults.ts's.
const DEFAULT_REPORTER: ReporterName = 'table';

/** The flags of every command, by the name commander gives the option's value. */
export const FLAGS = {
  tol: { flags: '--tol <number>', description: 'largest relative error that passes', parse: parsePositiveNumber, default: DEFAULT_TOLERANCE.toExponential() },
  eps: { flags: '--eps <list>', description: 'comma-separated steps to sweep', parse: parseEpsList, default: `${steps(DEFAULT_EPS)}; float32 ops ${steps(FLOAT32_EPS)}` },
  seed: { flags: '--seed <n>', description: 'seed for inputs, cotangents and directions', parse: parseSeed, default: String(DEFAULT_SEED) },
  method: { flags: '--method <name>', description: 'finite-difference formula', choices: METHODS, default: CHECK_DEFAULTS.method },
  order: {
    flags: '--order <n>',
    description: 'derivative order to check: 2 checks the gradient of the gradient',
    choices: ['1', '2'],
    parse: (value: string) => Number(value) as 1 | 2,
    default: String(CHECK_DEFAULTS.order),
  },
  mode: { flags: '--mode <name>', description: 'element-wise, fast (uᵀJv for a few random pairs) or auto: element-wise while cheap', choices: MODES, default: CHECK_DEFAULTS.mode },
  replayRandom: { flags: '--no-replay-random', description: 'let Math.random draw afresh at every evaluation (by default each evaluation replays one seeded stream, so a dropout mask is the same at every point)' },
  nondetTol: { flags: '--nondet-tol <x>', description: 'accept a second backward that differs from the first by at most this much (relative): for backwards nondeterministic by design', parse: parsePositiveNumber },
  explore: {
    flags: '--explore [points]',
    description: 'check many points beyond the drawn one, named dimensions at many sizes, and shrink a failure to its smallest case',
    parse: parseCount,
    default: `off; ${DEFAULT_EXPLORE_POINTS} points when given without a number`,
  },
  ad: { flags: '--ad <mode>', description: 'which rules to check: forward (jvp), reverse (vjp) or both (default: every rule the op has)', choices: AD_MODES },
  json: { flags: '--json', description: 'print one JSON document on stdout instead of text' },
  verbose: { flags: '--verbose', description: 'show stack traces of errors' },
  watch: { flags: '--watch', description: 're-run the affected op files whenever one is saved (until Ctrl-C)' },
  op: { flags: '-t, --op <pattern>', description: 'only the ops with this name, or matching this pattern (* and ?, or /regex/); repeatable', parse: collect(pattern) },
  reporter: { flags: '--reporter <name>', description: 'how to print the report; repeatable: several reporters at once', choices: REPORTERS, parse: collect((value) => value), default: DEFAULT_REPORTER },
  outputFile: {
    flags: '--output-file <path>',
    description: "write the reporter's output to this file instead of stdout; with several reporters, --output-file.<reporter> <path> (e.g. --output-file.junit reports/junit.xml)",
    parse: parseFileName,
  },
  junit: { flags: '--junit <file>', description: 'also write JUnit XML to this file (= --reporter junit --output-file.junit <file>, beside the others)', parse: parseFileName },
  html: { flags: '--html <file>', description: 'also write a self-contained HTML report to this file', parse: parseFileName },
  exclude: { flags: '--exclude <glob>', description: 'leave out the files this glob matches, even in a folder or glob named (repeatable; also: an argument !glob)', parse: collect((value) => value) },
  bail: { flags: '--bail [n]', description: 'stop after n ops failed or could not run (default 1 when given)', parse: parseCount },
  shard: { flags: '--shard <index/count>', description: 'run one of count disjoint parts of the ops (split by a hash of file and op name): the parts together run each op once', parse: parseShard },
  changed: { flags: '--changed [ref]', description: 'only op files changed since the git ref (default HEAD: uncommitted changes), or importing a changed file' },
  passWithNoOps: { flags: '--pass-with-no-ops', description: 'exit 0 when no op is found (by default that is an error, exit 2)' },
  timeout: {
    flags: '--timeout <ms>',
    description: "stop a file's import, or an op, that runs longer, and report it as an error; 0: no limit",
    parse: parseTimeout,
    default: String(DEFAULT_TIMEOUT_MS),
  },
  maxMemory: { flags: '--max-memory <mb>', description: 'JavaScript heap limit of the worker running the ops', parse: parseMemory, default: String(DEFAULT_MEMORY_MB) },
} satisfies Record<string, Flag>;

export type FlagName = keyof typeof FLAGS;

/** The commander option of a flag. */
export function flagOption(flag: Flag): Option {
  const option = new Option(flag.flags, flag.default === undefined ? flag.description : `${flag.description} (default: ${flag.default})`);
  const { choices, parse } = flag;
  if (choices) option.choices(choices);
  // A parser given to commander replaces its check of the choices: the check runs here first.
  if (parse) option.argParser(choices ? (value: string, previous: unknown) => parse(oneOf(choices, value), previous) : parse);
  if (flag.hidden) option.hideHelp();
  return option;
}

/** `--output-file.junit <path>`, one per reporter, as vitest names them; the help describes them under --output-file. */
const OUTPUT_FILE_FLAGS: Flag[] = REPORTERS.map((name) => ({ flags: `--output-file.${name} <path>`, description: `write the ${name} reporter's output to this file`, parse: parseFileName, hidden: true }));

/** What the `--output-file.<reporter>` flags gave, by reporter. */
export function outputFilesOf(options: object): Partial<Record<ReporterName, string>> {
  const files: Partial<Record<ReporterName, string>> = {};
  for (const name of REPORTERS) {
    const path = (options as Record<string, unknown>)[`outputFile.${name}`];
    if (typeof path === 'string') files[name] = path;
  }
  return files;
}

/**
 * The options the command line gave: those commander filled in itself (`--no-replay-random`'s
 * implied true) are left out, so that the config can supply them.
 */
export function givenOptions<T extends object>(command: Command): T {
  const options = { ...command.opts() };
  for (const key of Object.keys(options)) if (command.getOptionValueSource(key) === 'default') delete options[key];
  return options as T;
}

function oneOf(choices: readonly string[], value: string): string {
  if (!choices.includes(value)) throw new InvalidArgumentError(`Allowed choices are ${choices.join(', ')}.`);
  return value;
}

/** Adds the named flags to the command, in that order (the order of its help). */
export function addFlags(command: Command, names: readonly FlagName[]): Command {
  for (const name of names) {
    command.addOption(flagOption(FLAGS[name]));
    if (name === 'outputFile') for (const flag of OUTPUT_FILE_FLAGS) command.addOption(flagOption(flag));
  }
  return command;
}

/** The op files a command works on; without any, the config's `include`. */
export function pathsArgument(): Argument {
  return new Argument('[paths...]', 'op files, directories or globs; !glob leaves files out (default: include from gradcheck.config.ts)');
}
