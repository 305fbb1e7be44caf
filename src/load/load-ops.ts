// The ops an op file exports. An op file is any TS/JS module; every export created by
// defineOp is an op to check (the default export included), in the order they appear in the file.
// A file that cannot give any (it fails to import, or exports no op) is reported as one error entry,
// the same from the library and from the CLI's workers.
import { lstatSync, realpathSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { resolve } from 'node:path';
import type { CheckOptions } from '../model/options.ts';
import type { OpReport } from '../model/report.ts';
import { isOp, locatedIn } from '../spec/define.ts';
import type { Op } from '../spec/define.ts';
import { recordSource } from '../spec/source.ts';
import { fileErrorReport, stackOf } from '../model/build.ts';
import { loadErrorMessage } from './errors.ts';
import { importOpFile } from './runtime.js';

/**
 * Imports an op file and returns its defineOp exports (and the ops in arrays it exports), each located in that file (see locatedIn), in
 * the order of their lines there; ops it imported from elsewhere come last, in export order.
 */
export async function loadOps(file: string, { fresh = false } = {}): Promise<Op[]> {
  const path = resolve(file);
  const module = await importOpFile(path, { fresh });
  const ops: Op[] = [];
  const seen = new Set<Op>();
  // An op, or an array of them (ops made in a loop: one per size, per variant).
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach((item) => isOp(item) && visit(item));
    } else if (isOp(value) && !seen.has(value)) {
      seen.add(value);
      ops.push(value);
    }
  };
  for (const value of Object.values(module)) visit(value);
  // A CommonJS(-compiled) op file puts its exports on `default` (as well).
  const fallback = module.default;
  if (fallback && typeof fallback === 'object' && !isOp(fallback)) Object.values(fallback).forEach(visit);
  const located = locatedIn(ops, path);
  const defined: Op[] = [];
  const imported: Op[] = [];
  ops.forEach((op, k) => {
    const here = located[k];
    if (here) defined.push(here);
    else imported.push(op);
  });
  defined.sort((a, b) => a.location!.line - b.location!.line || a.location!.column - b.location!.column);
  const all = [...defined, ...imported];
  all.forEach((op, index) => recordSource(op, { file: path, index }));
  return all;
}

/**
 * An op file's ops, or the one error report of a file that could not be imported or exports no op
 * (with `mayHoldNoOp`, a file found in a folder that exports none has no ops and no error): the one
 * loading path of the library (checkFile) and of the CLI's workers.
 */
export async function loadOpsOrReport(file: string, shown: string, options: CheckOptions, { mayHoldNoOp = false } = {}): Promise<Op[] | OpReport> {
  const unreadable = checkReadable(resolve(file), shown);
  if (unreadable) return fileErrorReport(shown, unreadable, undefined, options);
  let ops: Op[];
  try {
    ops = await loadOps(file);
  } catch (error) {
    return fileErrorReport(shown, loadErrorMessage(shown, error, resolve(file)), stackOf(error), options);
  }
  // A file named on its own must hold an op; one a folder or glob swept up may be a helper module.
  if (ops.length === 0 && !mayHoldNoOp) return fileErrorReport(shown, `no defineOp export in ${shown}`, undefined, options);
  return ops;
}

/**
 * Above this size an op file is refused: TypeScript support (tsx's transform and the source map
 * Node keeps for stack traces) takes 100 to 150 times a file's size in memory, and a file this
 * large is data, which a .json file holds for a fraction of that.
 */
export const MAX_OP_FILE_BYTES = 2 * 1024 * 1024;

/**
 * Why the file at `path` cannot be imported, before trying (a failed import would name
 * gradcheck's own loader, not the file); undefined when it can be. Only a regular file is read: a
 * FIFO would block the worker's thread in open() for good (no --timeout can stop a thread inside a
 * system call, and the process could not end), and a device such as /dev/zero never ends.
 */
export function checkReadable(path: string, shown: string): string | undefined {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return `${shown}: a symlink loop (too many levels of symbolic links)`;
    if (code === 'ENOENT') return `${shown}: no such file (a symlink to a missing file?)`;
    if (code === 'EACCES') return `${shown}: permission denied`;
    return `${shown}: cannot be read: ${(error as Error).message}`;
  }
  if (stats.isDirectory()) return `${shown}: is a directory, not an op file`;
  if (!stats.isFile()) return `${shown}: ${describeTarget(path, stats)}, not a regular file: only regular files are read as op files`;
  if (stats.size > MAX_OP_FILE_BYTES) {
    const mb = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
    return `${shown}: ${mb(stats.size)} is too large for an op file (at most ${mb(MAX_OP_FILE_BYTES)}: loading TypeScript takes over 100 times a file's size in memory); keep large data in a .json file and import it`;
  }
  return undefined;
}

/** What a path that is no regular file is: 'a FIFO (named pipe)', 'a symlink to /dev/zero, a character device'. */
function describeTarget(path: string, stats: Stats): string {
  const kind = stats.isFIFO()
    ? 'a FIFO (named pipe)'
    : stats.isCharacterDevice()
      ? 'a character device'
      : stats.isBlockDevice()
        ? 'a block device'
        : stats.isSocket()
          ? 'a socket'
          : 'a special file';
  try {
    if (!lstatSync(path).isSymbolicLink()) return kind;
    // /dev/stdin on a pipe resolves to /proc/<pid>/fd/pipe:[<inode>]: a pipe has no path to name.
    const target = realpathSync(path);
    const unnamed = /\/(pipe|socket):\[\d+\]$/.exec(target);
    return unnamed ? `a symlink to a ${unnamed[1]}` : `a symlink to ${target}, ${kind}`;
  } catch {
    // Gone between the two calls: the kind is still what statSync saw.
  }
  return kind;
}
