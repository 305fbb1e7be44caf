// Which op file an op was loaded from, and its place among the ops loadOps gave for that file: what
// another thread needs to load the very same op again (check/threads/ rebuilds the function under
// test there to share the element-wise differences).
import type { Op } from './define.ts';

export interface OpSource {
  /** The op file's absolute path. */
  file: string;
  /** The op's index in loadOps' answer for that file. */
  index: number;
}

const sources = new WeakMap<Op, OpSource>();

export function recordSource(op: Op, source: OpSource): void {
  sources.set(op, source);
}

/** Where loadOps found the op; undefined for an op that came from anywhere else. */
export function sourceOf(op: Op): OpSource | undefined {
  return sources.get(op);
}
