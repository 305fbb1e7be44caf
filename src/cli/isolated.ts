// `run` and `sweep` both work through the isolated runner: a progress line on the terminal, Ctrl-C
// stopping the workers at once (what finished before it is still reported), and `--op` applied.
import type { IsolatedRun, IsolatedRunOptions } from '../run/scheduler.ts';
import { createProgress } from '../report/progress.ts';
import { onlyOp } from './select.ts';
import { plural } from '../model/words.ts';

type Run<R> = (files: string[], options: IsolatedRunOptions) => Promise<IsolatedRun<R>>;

/** Runs `run` over the files with progress and Ctrl-C handling; the report holds `options.only`'s op alone when set. */
export async function inWorkers<R extends { passed: boolean; ops: { name: string; status: string; file: string }[] }>(
  run: Run<R>,
  files: string[],
  options: IsolatedRunOptions,
): Promise<IsolatedRun<R>> {
  const progress = createProgress(process.stderr);
  const interrupt = new AbortController();
  const onSigint = (): void => interrupt.abort();
  process.once('SIGINT', onSigint);
  const { report, ...outcome } = await run(files, { ...options, onProgress: progress.onProgress, signal: interrupt.signal })
    .finally(() => process.off('SIGINT', onSigint));
  progress.done();
  return { report: onlyOp(report, options.only), ...outcome };
}

/** After an interrupted run has printed its report: says how much of the run was never reached. */
export function reportInterrupted({ notRun }: Pick<IsolatedRun<unknown>, 'notRun'>): void {
  const parts = [...(notRun.ops > 0 ? [plural(notRun.ops, 'op')] : []), ...(notRun.files > 0 ? [plural(notRun.files, 'file')] : [])];
  process.stderr.write(`gradcheck: interrupted${parts.length > 0 ? `; ${parts.join(' and ')} not run (listed as errors)` : ''}\n`);
}
