// The worker's loop in the isolated run: runs in every worker thread, after the runtime is set up
// (see worker-thread.js), and answers the tasks scheduler.ts posts (protocol.ts). It loads the
// checker; the main thread never does.
import type { MessagePort } from 'node:worker_threads';
import { loadOpsOrReport } from '../load/load-ops.ts';
import { checkOp } from '../check/check-op.ts';
import { sweepOp } from '../check/sweep.ts';
import type { CheckOptions, CheckProgress, OpReport } from '../check/types.ts';
import { declaredShape } from '../op/define.ts';
import type { InputSpec, Op } from '../op/define.ts';
import { fileErrorReport, inJobShape, qualifyError } from './results.ts';
import type { CheckTask, OpHeader, WorkerMessage } from './protocol.ts';

/** Answers the main thread's tasks: loads each op file and checks (or sweeps) its ops, announcing each one. */
export function serveChecks(port: MessagePort): void {
  const send = (message: WorkerMessage): void => port.postMessage(message);
  port.on('message', (task: CheckTask) => runTask(task, send));
}

/** One task, told as the messages protocol.ts describes. */
async function runTask(task: CheckTask, send: (message: WorkerMessage) => void): Promise<void> {
  send({ type: 'importing' });
  const loaded = await loadOpsOrReport(task.file, task.shown, task.options);
  if (!Array.isArray(loaded)) {
    send({ type: 'load-error', report: inJobShape(task.job, loaded) });
    return;
  }
  const ops = loaded;
  send({ type: 'loaded', ops: ops.map(describeOp) });
  if (task.job === 'list') {
    send({ type: 'finished' });
    return;
  }
  const options: CheckOptions = task.progress ? { ...task.options, onProgress: throttledProgress(send) } : task.options;
  for (let index = task.from; index < ops.length; index++) {
    if (task.only !== undefined && ops[index].name !== task.only) {
      // Not run at all (a hang elsewhere in the file costs nothing); the caller's --op filter drops it.
      send({ type: 'done', report: inJobShape(task.job, unchecked(task.shown, ops[index], task.options)) });
      continue;
    }
    send({ type: 'start', index });
    const report = task.job === 'sweep' ? sweepOp(ops[index], options, task.shown) : checkOp(ops[index], options, task.shown);
    send({ type: 'done', report: qualifyError(report, ops[index].location?.file) });
  }
  send({ type: 'finished' });
}

/** Progress crosses threads at most every 100 ms (and at the end of each op's numeric side). */
function throttledProgress(send: (message: WorkerMessage) => void): (progress: CheckProgress) => void {
  let lastProgress = 0;
  return (progress) => {
    const now = performance.now();
    if (progress.done < progress.total && now - lastProgress < 100) return;
    lastProgress = now;
    send({ type: 'progress', progress });
  };
}

/** A placeholder for an op that `--op` left out: never run, and dropped by the CLI's op filter. */
function unchecked(file: string, op: Op, options: CheckOptions): OpReport {
  const { error: _none, stack: _stack, ...empty } = fileErrorReport(file, '', undefined, options);
  return { ...empty, name: op.name, line: op.location?.line, status: 'pass' };
}

/** An op's name, line and declared input shapes, for the main thread (and for `list`). */
function describeOp(op: Op): OpHeader {
  const specs = (op.spec?.inputs ?? {}) as Record<string, InputSpec>;
  return { name: op.name, line: op.location?.line, inputs: Object.entries(specs).map(([name, spec]) => ({ name, shape: declaredShape(spec) })) };
}
