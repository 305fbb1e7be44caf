// The op files that command-line paths name: directories expand to the op files under them.
// No op is imported here, so the CLI's main thread can resolve its files without loading the checker.
import { lstatSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const OP_FILE = /\.(ts|mts|cts|js|mjs|cjs)$/;

/** A missing path (or a symlink that leads nowhere): a usage error (exit 2), reported before anything runs. */
export class MissingPathError extends Error {
  constructor(
    readonly path: string,
    why = `no such file or directory: ${path}`,
  ) {
    super(why);
    this.name = 'MissingPathError';
  }
}

/** Why a path that cannot be stat'ed is not there, in the user's terms. */
function missing(path: string, error: unknown): MissingPathError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ELOOP') return new MissingPathError(path, `a symlink loop (too many levels of symbolic links): ${path}`);
  if (code === 'ENOENT' && isSymlink(path)) return new MissingPathError(path, `a symlink to a missing file: ${path}`);
  if (code === 'EACCES') return new MissingPathError(path, `permission denied: ${path}`);
  return new MissingPathError(path);
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Files named on the command line, with directories expanded to the op files under them. */
export function expandPaths(paths: string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    let stats;
    try {
      stats = statSync(path);
    } catch (error) {
      throw missing(path, error);
    }
    if (stats.isDirectory()) files.push(...opFilesUnder(path));
    else files.push(path);
  }
  return [...new Set(files.map((file) => resolve(file)))];
}

function opFilesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) found.push(...opFilesUnder(path));
    } else if (OP_FILE.test(entry.name) && !/\.d\.[mc]?ts$/.test(entry.name)) {
      found.push(path);
    }
  }
  return found;
}
