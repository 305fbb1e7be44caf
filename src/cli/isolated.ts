// `run`, `sweep` and `list` all work through the isolated runner: a progress line on the terminal,
// a stop signal (Ctrl-C, SIGTERM, SIGHUP) stopping the workers at once (what finished before it is
// still reported, what did not is listed as not run), and what stopped a run early said on stderr.
import type { IsolatedRun, IsolatedRunOptions, RunFile } from '../run/scheduler.ts';
import { createProgress } from '../report/progress.ts';
import { plural } from '../model/words.ts';
import { STOP_SIGNALS, StoppedError } from './exit.ts';
import type { StopSignal } from './exit.ts';

type Run<R> = (files: RunFile[], options: IsolatedRunOptions) => Promise<IsolatedRun<R>>;

/** What a command learns of the stop signals while they are trapped. */
export interface StopSignals {
  /** Aborted by the first stop signal: the isolated runner stops its workers. */
  readonly signal: AbortSignal;
  /** That signal, once one came. */
  readonly received: StopSignal | undefined;
}

/**
 * Runs `work` with SIGINT, SIGTERM and SIGHUP trapped, one handler for all three: the first aborts
 * `signal`, so the run stops and its report is still printed. A second signal gets Node's default
 * (the process ends at once), as a second Ctrl-C does in any tool. An error `work` throws after a
 * signal (a config whose import was stopped) becomes a StoppedError, which exits with the signal's code.
 */
export async function whileTrapped<T>(work: (stop: StopSignals) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let received: StopSignal | undefined;
  const release = (): void => {
    for (const name of STOP_SIGNALS) process.off(name, onSignal);
  };
  function onSignal(name: NodeJS.Signals): void {
    received ??= name as StopSignal;
    release();
    controller.abort();
  }
  for (const name of STOP_SIGNALS) process.on(name, onSignal);
  try {
    return await work({ signal: controller.signal, get received() { return received; } });
  } catch (error) {
    if (received === undefined || error instanceof StoppedError) throw error;
    throw new StoppedError(error instanceof Error ? error.message : String(error), received);
  } finally {
    release();
  }
}

/** Runs `run` over the files with progress on the terminal, stopped by `options.signal`; the progress line is cleared before each file's output. */
export async function inWorkers<R>(run: Run<R>, files: RunFile[], options: IsolatedRunOptions): Promise<IsolatedRun<R>> {
  const progress = createProgress(process.stderr);
  const { onFile } = options;
  const streamed = onFile
    ? {
        onFile: (file: Parameters<typeof onFile>[0]) => {
          progress.done();
          onFile(file);
        },
      }
    : {};
  return run(files, { ...options, ...streamed, onProgress: progress.onProgress }).finally(() => progress.done());
}

/** After a run `--bail` stopped: how many failures stopped it, and how much was never checked. */
export function reportBailed({ notRun }: Pick<IsolatedRun<unknown>, 'notRun'>, bail: number): void {
  const parts = [...(notRun.ops > 0 ? [plural(notRun.ops, 'op')] : []), ...(notRun.files > 0 ? [plural(notRun.files, 'file')] : [])];
  process.stderr.write(`gradcheck: stopped after ${plural(bail, 'op')} failed or could not run (--bail ${bail})${parts.length > 0 ? `; ${parts.join(' and ')} not checked` : ''}\n`);
}

/** After a stopped run has printed its report: says what stopped it and how much of the run was never reached. */
export function reportInterrupted({ notRun }: Pick<IsolatedRun<unknown>, 'notRun'>, signal: StopSignal | undefined): void {
  const parts = [...(notRun.ops > 0 ? [plural(notRun.ops, 'op')] : []), ...(notRun.files > 0 ? [plural(notRun.files, 'file')] : [])];
  const by = signal === undefined || signal === 'SIGINT' ? '' : ` by ${signal}`;
  process.stderr.write(`gradcheck: interrupted${by}${parts.length > 0 ? `; ${parts.join(' and ')} not run (listed as errors)` : ''}\n`);
}
