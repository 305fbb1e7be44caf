// A run that finds no op to check. In CI that is a job whose op files moved or whose --op no longer
// names anything: it fails with one line saying why (exit 2), unless --pass-with-no-ops. Two cases
// are no failure: a shard that happens to hold none of the run's ops (the other shards hold them),
// and --changed when nothing changed.
import { plural } from '../model/words.ts';
import { matchesPattern } from '../model/selection.ts';
import type { Shard } from '../model/selection.ts';
import { terminalLine } from '../report/safe-text.ts';
import type { Selection } from './select.ts';
import { EXIT, NoOpsError } from './exit.ts';

/** Why the arguments named no file to run. */
export function noFilesMessage({ unmatched, excluded }: Selection, args: string[]): string {
  if (unmatched.length > 0) return `no op found: no files match ${unmatched.map((glob) => `'${glob}'`).join(', ')}`;
  if (excluded > 0) return `no op found: every file in ${args.join(', ')} is excluded (${plural(excluded, 'file')})`;
  return `no op found: no op file in ${args.join(', ')}`;
}

/**
 * Why a run that imported its files reported no op, or undefined when it reported some. `names`:
 * every op the files define, taken or not.
 */
export function noOpsMessage(reported: number, names: readonly string[], { op, shard, files, where }: { op?: string[]; shard?: Shard; files: number; where?: string }): { message: string; fine?: true } | undefined {
  if (reported > 0) return undefined;
  if (op && op.length > 0) {
    const which = op.map((pattern) => `'${pattern}'`).join(' or ');
    const named = op.every((pattern) => !/[*?]|^\/.+\/[a-z]*$/.test(pattern));
    const taken = names.filter((name) => op.some((pattern) => matchesPattern(name, pattern)));
    if (taken.length === 0) return { message: `no op ${named ? 'named' : 'matches'} ${which}${where ? ` in ${where}` : ''}${names.length > 0 ? ` (ops: ${names.join(', ')})` : ''}` };
  }
  if (shard && names.length > 0) return { message: `shard ${shard.index}/${shard.count} holds none of the ${plural(names.length, 'op')}; the other shards check them`, fine: true };
  return { message: `no op found: ${files === 0 ? 'no op file' : `no defineOp export in ${plural(files, 'file')} found`}` };
}

/** Ends a run that found no op: exit 0 with a note when that is fine or --pass-with-no-ops says so, else a NoOpsError (exit 2). */
export function endWithoutOps({ message, fine }: { message: string; fine?: true }, passWithNoOps: boolean | undefined): number {
  if (!fine && !passWithNoOps) throw new NoOpsError(message);
  process.stderr.write(`gradcheck: ${terminalLine(message)}${fine ? '' : ' (--pass-with-no-ops)'}\n`);
  return EXIT.pass;
}
