// `gradcheck list <files...>`: the ops each file exports, with their input shapes, without checking them.
import { Command } from 'commander';
import { listIsolated } from '../../run/scheduler.ts';
import type { ListedFile, OpHeader } from '../../run/scheduler.ts';
import { terminalLine } from '../../report/safe-text.ts';
import { resolveFiles } from '../select.ts';
import { EXIT, UsageError, signalExitCode } from '../exit.ts';
import { reportInterrupted, whileTrapped } from '../isolated.ts';
import type { StopSignals } from '../isolated.ts';
import { addFlags, pathsArgument } from '../options.ts';

export type ListedOp = OpHeader;
export type { ListedFile };

export function listCommand(setExitCode: (code: number) => void): Command {
  const command = new Command('list')
    .description('list the ops found in op files, with their input shapes')
    .addArgument(pathsArgument({ fromConfig: false }));
  return addFlags(command, ['op', 'json', 'timeout'])
    .action(async (paths: string[], options: ListOptions) => setExitCode(await runList(paths, options)));
}

interface ListOptions {
  op?: string;
  json?: boolean;
  timeout?: number;
}

/** Imports the files in worker threads, as `run` does, so that an import that hangs is one error line. */
export async function runList(paths: string[], options: ListOptions): Promise<number> {
  return whileTrapped((stop) => listFiles(paths, options, stop));
}

async function listFiles(paths: string[], options: ListOptions, stop: StopSignals): Promise<number> {
  const files = resolveFiles(paths);
  const { report: listed, interrupted, notRun } = await listIsolated(files, { timeoutMs: options.timeout, signal: stop.signal });
  const shown = options.op === undefined ? listed : listed.map((file) => ({ ...file, ops: file.ops.filter((op) => op.name === options.op) }));
  if (options.op !== undefined && !shown.some((file) => file.ops.length > 0 || file.error)) {
    const names = [...new Set(listed.flatMap((file) => file.ops.map((op) => op.name)))];
    throw new UsageError(`no op named '${options.op}' in ${listed.map((file) => file.file).join(', ')}${names.length ? ` (ops: ${names.join(', ')})` : ''}`);
  }
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
