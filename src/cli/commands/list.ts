// `gradcheck list <files...>`: the ops each file exports, with their input shapes, without checking them.
import { Command } from 'commander';
import type { Op, InputSpec } from '../../op.ts';
import { formatShape } from '../../report/format.ts';
import { loadFiles, resolveFiles } from '../select.ts';

export interface ListedOp {
  name: string;
  line?: number;
  inputs: { name: string; shape: number[] | null }[];
}

export interface ListedFile {
  file: string;
  ops: ListedOp[];
  error?: string;
}

export function listCommand(setExitCode: (code: number) => void): Command {
  return new Command('list')
    .description('list the ops found in op files, with their input shapes')
    .argument('<paths...>', 'op files, directories or globs')
    .option('--op <name>', 'only the op with this name')
    .option('--json', 'print one JSON document on stdout')
    .action(async (paths: string[], options: { op?: string; json?: boolean }) => setExitCode(await runList(paths, options)));
}

export async function runList(paths: string[], options: { op?: string; json?: boolean }): Promise<number> {
  const loaded = await loadFiles(resolveFiles(paths), options.op);
  const files: ListedFile[] = loaded.map((entry) => ({ file: entry.file, ops: entry.ops.map(describeOp), ...(entry.error ? { error: entry.error } : {}) }));
  if (options.json) process.stdout.write(`${JSON.stringify({ files }, null, 2)}\n`);
  else process.stdout.write(formatList(files));
  return files.some((file) => file.error) ? 2 : 0;
}

export function describeOp(op: Op): ListedOp {
  const specs = (op.spec?.inputs ?? {}) as Record<string, InputSpec>;
  return { name: op.name, line: op.location?.line, inputs: Object.entries(specs).map(([name, spec]) => ({ name, shape: shapeOf(spec) })) };
}

function shapeOf(spec: InputSpec): number[] | null {
  const shape = Array.isArray(spec) ? spec : spec?.shape;
  return Array.isArray(shape) && shape.every((d) => typeof d === 'number') ? [...shape] : null;
}

export function formatList(files: ListedFile[]): string {
  const lines: string[] = [];
  for (const file of files) {
    lines.push(file.file);
    if (file.error) lines.push(`  error: ${file.error}`);
    const width = Math.max(0, ...file.ops.map((op) => op.name.length));
    for (const op of file.ops) {
      const inputs = op.inputs.map((input) => `${input.name} ${input.shape ? formatShape(input.shape) : '(invalid shape)'}`).join(', ');
      lines.push(`  ${op.name.padEnd(width)}  ${inputs}${op.line ? `  (line ${op.line})` : ''}`);
    }
  }
  const count = files.reduce((sum, file) => sum + file.ops.length, 0);
  lines.push(`${count} op${count === 1 ? '' : 's'} in ${files.length} file${files.length === 1 ? '' : 's'}`);
  return `${lines.join('\n')}\n`;
}
