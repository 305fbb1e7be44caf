// Op files checked in this process, for tests of what the reporters make of their reports. Op files
// import 'gradcheck' (and 'gradcheck/tfjs'); under vitest those names must mean these very sources,
// the copy the test imports, or the op file would get dist/ (or nothing) and a second Tensor class.
import { stripVTControlCharacters } from 'node:util';
import { vi } from 'vitest';
import { chalk } from '../../src/report/color.ts';
import type { Writer } from '../../src/report/format.ts';

vi.mock('gradcheck', () => import('../../src/index.ts'));
vi.mock('gradcheck/tfjs', () => import('../../src/adapters/tfjs.ts'));

export { checkFile, checkFiles } from '../../src/api.ts';
export { loadOps } from '../../src/load/load-ops.ts';

/** A Writer that keeps what is written to it. */
export function capture(): Writer & { text: () => string } {
  const chunks: string[] = [];
  return { write: (chunk: string) => chunks.push(chunk), text: () => chunks.join('') };
}

/**
 * Runs `fn` with chalk at the given colour level (0: none, as in a pipe; 3: truecolour), whatever
 * the terminal the tests run in. The reporters' badges are painted when table.ts is imported, so
 * only the colours computed during `fn` follow the level.
 */
export function withColour<T>(level: 0 | 1 | 2 | 3, fn: () => T): T {
  const before = chalk.level;
  chalk.level = level;
  try {
    return fn();
  } finally {
    chalk.level = before;
  }
}

/**
 * What `fn` prints as a pipe or a CI log shows it: colours off, and no escape codes even from the
 * badges, which were painted at import in whatever colour level the test run started with.
 */
export function plain(fn: () => string): string {
  return stripVTControlCharacters(withColour(0, fn));
}
