// From command-line arguments to the op files to work on (globs expanded, directories walked), and
// the --op filter applied to a report. Shared by run, sweep and list; the files themselves are
// imported in worker threads (run/scheduler.ts), never here.
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from './exit.ts';
import { expandPaths, MissingPathError } from './paths.ts';
import { expandGlob, hasGlob } from './glob.ts';

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

/**
 * A report file (--junit, --html) that is one of the op files: writing the report would overwrite
 * the file just checked (`--junit ops.ts` for `--junit ops.xml`). A usage error, before anything runs.
 */
export function refuseToOverwrite(files: string[], outputs: Record<string, string | undefined>): void {
  const real = (path: string): string => {
    try {
      return realpathSync(path);
    } catch {
      return resolve(path);
    }
  };
  const opFiles = new Set(files.map(real));
  for (const [flag, path] of Object.entries(outputs)) {
    if (path !== undefined && opFiles.has(real(path))) throw new UsageError(`${flag} ${path} is an op file of this run: the report would overwrite it`);
  }
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
