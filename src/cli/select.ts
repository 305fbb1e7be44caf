// From command-line arguments to the ops to work on: globs expanded, directories walked, op files
// imported, and the --op filter applied. Shared by run, sweep and list.
import { resolve } from 'node:path';
import { expandPaths, MissingPathError } from '../paths.ts';
import { displayPath, loadErrorMessage } from '../reports.ts';
import type { Op } from '../op.ts';
import { expandGlob, hasGlob } from './glob.ts';

/** Bad arguments: one line on stderr and exit code 2, before anything runs. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Absolute paths of the op files named by the arguments (files, directories or globs). */
export function resolveFiles(args: string[]): string[] {
  if (args.length === 0) throw new UsageError('no op files given (name some, or list them as `files` in gradcheck.config.ts)');
  const paths = args.flatMap((arg) => {
    const matches = expandGlob(arg);
    if (hasGlob(arg) && matches.length === 0) throw new UsageError(`no files match '${arg}'`);
    return matches;
  });
  try {
    return expandPaths(paths);
  } catch (error) {
    if (error instanceof MissingPathError) throw new UsageError(error.message);
    throw error;
  }
}

export interface LoadedFile {
  /** As shown in reports: relative to the current directory when inside it. */
  file: string;
  ops: Op[];
  /** Why the file could not be imported, or holds no op. */
  error?: string;
  stack?: string;
}

/** Imports each file and keeps the ops named `opName` (all when absent). */
export async function loadFiles(files: string[], opName?: string): Promise<LoadedFile[]> {
  // Loaded when needed: `run` checks its files in workers, and its main thread never loads an op.
  const { loadOps } = await import('../load.ts');
  const loaded: LoadedFile[] = [];
  const names = new Set<string>();
  for (const path of files) {
    const file = displayPath(path);
    try {
      const ops = await loadOps(path);
      ops.forEach((op) => names.add(op.name));
      if (ops.length === 0) loaded.push({ file, ops, error: `no defineOp export in ${file}` });
      else loaded.push({ file, ops: opName === undefined ? ops : ops.filter((op) => op.name === opName) });
    } catch (error) {
      loaded.push({ file, ops: [], error: loadErrorMessage(file, error, resolve(path)), stack: error instanceof Error ? error.stack : undefined });
    }
  }
  if (opName !== undefined && !loaded.some((entry) => entry.ops.length > 0 || entry.error)) {
    const available = names.size ? ` (ops: ${[...names].join(', ')})` : '';
    throw new UsageError(`no op named '${opName}' in ${files.map(displayPath).join(', ')}${available}`);
  }
  return loaded;
}

/** The report of the op named `name` (and of files that could not load); all of it without a name. */
export function onlyOp<R extends { passed: boolean; ops: { name: string; status: string }[] }>(report: R, name: string | undefined): R {
  if (name === undefined) return report;
  const ops = report.ops.filter((op) => op.name === name || op.name === '(file)');
  if (ops.length === 0) {
    const available = [...new Set(report.ops.map((op) => op.name))].join(', ');
    throw new UsageError(`no op named '${name}'${available ? ` (ops: ${available})` : ''}`);
  }
  return { ...report, passed: ops.every((op) => op.status === 'pass'), ops };
}
