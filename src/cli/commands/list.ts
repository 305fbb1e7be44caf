// `gradcheck list [paths...]`: the ops each file exports, with their input shapes, without checking them.
import { Command } from 'commander';
import { listIsolated } from '../../run/scheduler.ts';
import type { ListedFile, OpHeader } from '../../run/scheduler.ts';
import { terminalLine } from '../../report/safe-text.ts';
import { matchesAny } from '../../model/selection.ts';
import { loadConfig, selectWithConfig, withConfig } from '../config.ts';
import { endWithoutOps, noFilesMessage, noOpsMessage } from '../found.ts';
import { EXIT, signalExitCode } from '../exit.ts';
import { reportInterrupted, whileTrapped } from '../isolated.ts';
import type { StopSignals } from '../isolated.ts';
import { addFlags, givenOptions, pathsArgument } from '../options.ts';

export type ListedOp = OpHeader;
export type { ListedFile };

export function listCommand(setExitCode: (code: number) => void): Command {
  const command = new Command('list')
    .description('list the ops found in op files, with their input shapes')
    .addArgument(pathsArgument());
  return addFlags(command, ['op', 'json', 'exclude', 'passWithNoOps', 'timeout'])
    .action(async (paths: string[], _options: unknown, self: Command) => setExitCode(await runList(paths, givenOptions<ListOptions>(self))));
}

interface ListOptions {
  op?: string[];
  json?: boolean;
  timeout?: number;
  exclude?: string[];
  passWithNoOps?: boolean;
}

/** Imports the files in worker threads, as `run` does, so that an import that hangs is one error line. */
export async function runList(paths: string[], options: ListOptions): Promise<number> {
  return whileTrapped((stop) => listFiles(paths, options, stop));
}

async function listFiles(paths: string[], flags: ListOptions, stop: StopSignals): Promise<number> {
  // The config says which files (include, exclude) and how long an import may take, as for `run`.
  const loaded = await loadConfig(process.cwd(), { timeoutMs: flags.timeout, signal: stop.signal });
  const options = withConfig(flags, loaded.config);
  const { selection, args } = selectWithConfig(paths, options.exclude, loaded);
  if (selection.files.length === 0) return endWithoutOps({ message: noFilesMessage(selection, args) }, options.passWithNoOps);
  const { report: listed, interrupted, notRun, names } = await listIsolated(selection.files, { timeoutMs: options.timeout, signal: stop.signal });
  // A helper module found in a folder defines no op: it is no op file, and is not listed.
  const shown = listed.map((file) => ({ ...file, ops: file.ops.filter((op) => matchesAny(op.name, options.op)) })).filter((file) => file.ops.length > 0 || file.error);
  const where = listed.map((file) => file.file).join(', ');
  const none = stop.received ? undefined : noOpsMessage(shown.length, names ?? [], { op: options.op, files: selection.files.length, where });
  if (none) return endWithoutOps(none, options.passWithNoOps);
  if (options.json) process.stdout.write(`${JSON.stringify({ files: shown }, null, 2)}\n`);
  else process.stdout.write(formatList(shown));
  if (interrupted) reportInterrupted({ notRun }, stop.received);
  if (stop.received) return signalExitCode(stop.received);
  return shown.some((file) => file.error) ? EXIT.error : EXIT.pass;
}

export function formatList(files: ListedFile[]): string {
  const lines: string[] = [];
  for (const file of files) {
    lines.push(terminalLine(file.file));
    if (file.error) lines.push(`  error: ${terminalLine(file.error)}`);
    const names = file.ops.map((op) => terminalLine(op.name));
    const width = Math.max(0, ...names.map((name) => name.length));
    file.ops.forEach((op, k) => {
      const inputs = op.inputs.map((input) => `${terminalLine(input.name)} ${input.shape ? terminalLine(`[${input.shape.join(', ')}]`) : '(invalid shape)'}`).join(', ');
      lines.push(`  ${names[k].padEnd(width)}  ${inputs}${op.line ? `  (line ${op.line})` : ''}`);
    });
  }
  const count = files.reduce((sum, file) => sum + file.ops.length, 0);
  lines.push(`${count} op${count === 1 ? '' : 's'} in ${files.length} file${files.length === 1 ? '' : 's'}`);
  return `${lines.join('\n')}\n`;
}
