// The ops an op file exports. An op file is any TS/JS module; every export created by
// defineOp is an op to check (the default export included), in the order they appear in the file.
import { resolve } from 'node:path';
import { isOp } from '../op/define.ts';
import type { Op } from '../op/define.ts';
import { importOpFile } from './runtime.js';

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
