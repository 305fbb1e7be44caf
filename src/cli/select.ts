// From command-line arguments (or the config's `include`) to the op files to work on: globs
// expanded, directories walked, `exclude` globs and `!glob` arguments taken out. Shared by run,
// sweep and list; the files themselves are imported in worker threads (run/scheduler.ts), never here.
import { realpathSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UsageError } from './exit.ts';
import { expandPaths, MissingPathError } from './paths.ts';
import { expandGlob, hasGlob } from './glob.ts';
import type { RunFile } from '../run/scheduler.ts';

/** The op files a command line (or config) names, and why none may be there. */
export interface Selection {
  files: RunFile[];
  /** Globs that matched no file: with no file at all, the one-line reason no op was found. */
  unmatched: string[];
  /** Files found and then excluded. */
  excluded: number;
}

export interface SelectOptions {
  /** Absolute globs (or paths: a folder excludes what is under it) of files never to check. */
  exclude?: string[];
  /** The folder shards name files from (default: the current folder). */
  root?: string;
}

/**
 * The op files named by the arguments (files, directories or globs; `!glob` excludes). A file named
 * itself must exist (a usage error otherwise) and must define an op; a file found in a folder or by
 * a glob may be a helper that defines none.
 */
export function selectFiles(args: string[], { exclude = [], root = process.cwd() }: SelectOptions = {}): Selection {
  const negated = args.filter((arg) => arg.startsWith('!')).map((arg) => resolve(arg.slice(1)));
  const excluded = [...exclude, ...negated].map(pathMatcher);
  const unmatched: string[] = [];
  const found = new Map<string, RunFile>();
  for (const arg of args.filter((a) => !a.startsWith('!'))) {
    const matches = expandGlob(arg);
    if (hasGlob(arg) && matches.length === 0) unmatched.push(arg);
    let files: string[];
    try {
      files = expandPaths(matches);
    } catch (error) {
      if (error instanceof MissingPathError) throw new UsageError(error.message);
      throw error;
    }
    const named = !hasGlob(arg) && files.length === 1 && files[0] === resolve(arg);
    for (const path of files) if (!found.has(path)) found.set(path, { path, found: !named, identity: identityOf(path, root) });
  }
  const files = [...found.values()].filter((file) => !excluded.some((matches) => matches(file.path)));
  return { files, unmatched, excluded: found.size - files.length };
}

/** Absolute paths of the op files named by the arguments: `selectFiles` without the details. */
export function resolveFiles(args: string[]): string[] {
  return selectFiles(args).files.map((file) => file.path);
}

/** A file as shards name it: relative to the project's root, with forward slashes, the same on every machine. */
export function identityOf(path: string, root: string): string {
  const shown = relative(root, path);
  return (shown.startsWith('..') || isAbsolute(shown) ? path : shown).split(sep).join('/');
}

/**
 * Whether an absolute path matches an absolute glob: `*` and `?` within a segment, `**` any number
 * of folders; a pattern without wildcards matches that path and everything under it.
 */
export function pathMatcher(pattern: string): (path: string) => boolean {
  const normal = pattern.split(sep).join('/').replace(/\/+$/, '');
  if (!hasGlob(normal)) return (path) => path === normal || path.startsWith(`${normal}/`);
  const source = normal
    .split('/')
    .map((segment) => (segment === '**' ? '\u0000' : segment.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')))
    .join('/')
    .replace(/\/\u0000$/, '(?:/.*)?')
    .replace(/\u0000\//g, '(?:.*/)?')
    .replace(/\u0000/g, '.*');
  const regex = new RegExp(`^${source}$`);
  return (path) => regex.test(path.split(sep).join('/'));
}

/** A glob or path relative to `base`, made absolute (a leading `!` kept out). */
export function absoluteGlob(pattern: string, base: string): string {
  return isAbsolute(pattern) ? pattern : join(base, pattern);
}

/**
 * A report file (--junit, --html, --output-file) that is one of the op files: writing the report
 * would overwrite the file just checked (`--junit ops.ts` for `--junit ops.xml`). A usage error,
 * before anything runs.
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
