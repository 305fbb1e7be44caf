// The op files that command-line paths name: directories expand to the op files under them.
// No op is imported here, so the CLI's main thread can resolve its files without loading the checker.
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const OP_FILE = /\.(ts|mts|cts|js|mjs|cjs)$/;

/** A missing path: a usage error (exit 2), reported before anything runs. */
export class MissingPathError extends Error {
  constructor(readonly path: string) {
    super(`no such file or directory: ${path}`);
    this.name = 'MissingPathError';
  }
}

/** Files named on the command line, with directories expanded to the op files under them. */
export function expandPaths(paths: string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    let stats;
    try {
      stats = statSync(path);
    } catch {
      throw new MissingPathError(path);
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
