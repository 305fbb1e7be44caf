// `run` and `sweep` both work through the isolated runner: a progress line on the terminal, Ctrl-C
// stopping the workers at once (what finished before it is still reported), and `--op` applied.
import type { IsolatedRun, IsolatedRunOptions } from '../run/scheduler.ts';
import { createProgress } from '../report/progress.ts';
import { onlyOp } from './select.ts';

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
  const { report, interrupted } = await run(files, { ...options, onProgress: progress.onProgress, signal: interrupt.signal })
    .finally(() => process.off('SIGINT', onSigint));
  progress.done();
  return { report: onlyOp(report, options.only), interrupted };
}

/** After an interrupted run has printed what finished: says how much of the run that was. */
export function reportInterrupted(report: { ops: { file: string }[] }, files: string[]): void {
  const reported = new Set(report.ops.map((op) => op.file)).size;
  process.stderr.write(`gradcheck: interrupted; reported ${reported} of ${files.length} files\n`);
}
