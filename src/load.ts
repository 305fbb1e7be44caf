// Finds op files and the ops they export. An op file is any TS/JS module; every export created by
// defineOp is an op to check (the default export included), in the order they appear in the file.
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isOp } from './op.ts';
import type { Op } from './op.ts';
import { importOpFile } from './runtime.js';

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

/** Imports an op file and returns its defineOp exports, in source order. */
export async function loadOps(file: string, { fresh = false } = {}): Promise<Op[]> {
  const module = await importOpFile(resolve(file), { fresh });
  const ops: Op[] = [];
  const seen = new Set<Op>();
  const visit = (value: unknown): void => {
    if (isOp(value) && !seen.has(value)) {
      seen.add(value);
      ops.push(value);
    }
  };
  for (const value of Object.values(module)) visit(value);
  // A CommonJS(-compiled) op file puts its exports on `default` (as well).
  const fallback = module.default;
  if (fallback && typeof fallback === 'object' && !isOp(fallback)) Object.values(fallback).forEach(visit);
  return ops.sort((a, b) => (a.location?.line ?? 0) - (b.location?.line ?? 0));
}
