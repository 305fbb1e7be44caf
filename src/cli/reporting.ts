// Which reporters a run prints with and where each one's text goes, from the flags and the config,
// as vitest takes them: `--reporter` names them (repeatable), `--output-file.<reporter> <path>`
// sends one to a file (`--output-file <path>` the only one named), `--junit` and `--html` add a file
// beside the others. Flags replace the config's `reporters`; output files add to them.
import { isAbsolute, join } from 'node:path';
import type { ReporterName } from '../model/defaults.ts';
import type { ReporterChoice } from '../report/emit.ts';
import { ConfigError } from '../load/config.ts';
import type { LoadedConfig } from './config.ts';
import { outputFilesOf } from './options.ts';
import { UsageError } from './exit.ts';

export interface ReportingFlags {
  reporter?: ReporterName[];
  json?: boolean;
  outputFile?: string;
  junit?: string;
  html?: string;
}

/** Reporters that print one document: on stdout beside another reporter's text, it would not parse. */
const DOCUMENTS: readonly ReporterName[] = ['json', 'junit', 'markdown', 'html'];

export function reporterChoices(flags: ReportingFlags, { path, dir, config }: LoadedConfig): ReporterChoice[] {
  const named: ReporterName[] = [...(flags.reporter ?? []), ...(flags.json ? ['json' as const] : [])];
  const inConfig = (file: string) => (isAbsolute(file) ? file : join(dir, file));
  let choices: ReporterChoice[];
  if (named.length > 0) {
    choices = named.map((name) => ({ name }));
  } else if (config.reporters && config.reporters.length > 0) {
    choices = config.reporters.map((entry) => (Array.isArray(entry) ? { name: entry[0], ...(entry[1]?.outputFile ? { file: inConfig(entry[1].outputFile) } : {}) } : { name: entry }));
    const files = config.outputFile;
    if (typeof files === 'string') {
      if (choices.length > 1) throw new ConfigError(`${path}: outputFile is one path for ${choices.length} reporters: give one per reporter, as { junit: 'reports/junit.xml' }`);
      choices[0].file ??= inConfig(files);
    } else if (files) {
      for (const [name, file] of Object.entries(files)) sendTo(choices, name as ReporterName, inConfig(file!));
    }
  } else {
    choices = [{ name: 'table' }];
  }
  if (flags.outputFile !== undefined) {
    const unfiled = named.length > 0 ? choices : choices.filter((choice) => choice.file === undefined);
    if (unfiled.length !== 1) throw new UsageError(`--output-file ${flags.outputFile} names no reporter among ${unfiled.length}: give each its own, as --output-file.junit reports/junit.xml`);
    unfiled[0].file = flags.outputFile;
  }
  for (const [name, file] of Object.entries(outputFilesOf(flags))) sendTo(choices, name as ReporterName, file);
  if (flags.junit) choices.push({ name: 'junit', file: flags.junit });
  if (flags.html) choices.push({ name: 'html', file: flags.html });
  const distinct = choices.filter((choice, k) => choices.findIndex((other) => other.name === choice.name && other.file === choice.file) === k);
  const onStdout = distinct.filter((choice) => choice.file === undefined);
  const document = onStdout.find((choice) => DOCUMENTS.includes(choice.name));
  if (document && onStdout.length > 1) {
    const other = onStdout.find((choice) => choice !== document)!;
    throw new UsageError(`--reporter ${document.name} and --reporter ${other.name} would both print to stdout, and the ${document.name} would not parse: send one to a file (--output-file.${document.name} <path>)`);
  }
  return distinct;
}

/** The reporter `name` writes to `file`: the one of that name still on stdout takes it, else it is added. */
function sendTo(choices: ReporterChoice[], name: ReporterName, file: string): void {
  const waiting = choices.find((choice) => choice.name === name && choice.file === undefined);
  if (waiting) waiting.file = file;
  else choices.push({ name, file });
}

/** The report files of the choices, to refuse any that is an op file of the run. */
export function reportFiles(choices: readonly ReporterChoice[]): Record<string, string | undefined> {
  return Object.fromEntries(choices.filter((choice) => choice.file !== undefined).map((choice) => [choice.name === 'junit' || choice.name === 'html' ? `--${choice.name}` : `--output-file.${choice.name}`, choice.file]));
}
