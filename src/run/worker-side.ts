// The worker's loop in the isolated run: runs in every worker thread, after the runtime is set up
// (see worker-thread.js), and answers the tasks scheduler.ts posts (protocol.ts). It loads the
// checker; the main thread never does.
//
// A worker takes file after file, so each file must leave it as it found it: after each one the
// worker compares the realm's shared objects with their state before the first file (globals.ts)
// and looks for callbacks left pending or errors raised after the fact (containment.ts); any of
// these retires the worker, and the scheduler gives the next file a fresh one.
import type { MessagePort } from 'node:worker_threads';
import { resolve } from 'node:path';
import { loadOpsOrReport } from '../load/load-ops.ts';
import { readConfigFile } from '../load/config-file.ts';
import { sweepOp } from '../check/sweep.ts';
import { sharingHelpers } from '../check/threads/split.ts';
import type { CheckOptions, CheckProgress } from '../model/options.ts';
import { inShard, matchesAny } from '../model/selection.ts';
import { checkPlanned, planFor, skippedReport } from './plan.ts';
import { declaredShape } from '../spec/define.ts';
import type { InputSpec, Op } from '../spec/define.ts';
import { asyncErrorMessage, inJobShape } from './results.ts';
import { fileErrorReport, qualifyError } from '../model/build.ts';
import type { CheckTask, JobReport, OpHeader, OpSelection, WorkerMessage } from './protocol.ts';
import { contain } from './containment.ts';
import type { AsyncError, Containment } from './containment.ts';
import { changedGlobals, snapshotGlobals } from './globals.ts';
import { osThreadId } from './children.ts';
import type { GlobalsSnapshot } from './globals.ts';

type Send = (message: WorkerMessage) => void;

/** What every task of this worker shares: the output and error containment, and the realm as the first file found it. */
interface WorkerState {
  send: Send;
  containment: Containment;
  baseline: GlobalsSnapshot;
  /** This thread's id in the operating system: the scheduler stops the processes it leaves behind. */
  thread: number | undefined;
}

/**
 * Answers the main thread's tasks: loads each op file and checks (or sweeps) its ops, announcing
 * each one. `shared` are the modules every file gets (gradcheck's own), watched like the globals.
 */
export function serveChecks(port: MessagePort, shared: readonly object[] = []): void {
  const send: Send = (message) => port.postMessage(message);
  const containment = contain(send);
  const worker: WorkerState = { send, containment, baseline: snapshotGlobals(shared), thread: osThreadId() };
  port.on('message', (task: CheckTask) => {
    runTask(task, worker).catch((error: unknown) => containment.crash(error));
  });
}

/** One task, told as the messages protocol.ts describes. */
async function runTask(task: CheckTask, worker: WorkerState): Promise<void> {
  const { send, containment } = worker;
  const pendingBefore = containment.pendingCallbacks();
  containment.takeErrors();
  containment.enter(task.shown);
  send({ type: 'importing', thread: worker.thread });
  if (task.job === 'config') return runConfigTask(task, worker, pendingBefore);
  let loaded = await loadOpsOrReport(task.file, task.shown, task.options, { mayHoldNoOp: task.mayHoldNoOp });
  await containment.settle(pendingBefore);
  const failedLater = containment.takeErrors()[0];
  if (failedLater && Array.isArray(loaded)) loaded = fileErrorReport(task.shown, importErrorMessage(task, failedLater), undefined, task.options);
  if (!Array.isArray(loaded)) {
    await finishFile(task, worker, pendingBefore);
    send({ type: 'load-error', report: inJobShape(task.job, loaded) });
    return;
  }
  const ops = loaded;
  send({ type: 'loaded', ops: ops.map(describeOp) });
  if (task.job !== 'list') sharingHelpers(() => runOps(task, ops, worker));
  containment.enter(task.shown);
  await finishFile(task, worker, pendingBefore);
  send({ type: 'finished' });
}

function runOps(task: CheckTask, ops: Op[], { send, containment }: WorkerState): void {
  const options: CheckOptions = task.progress ? { ...task.options, onProgress: throttledProgress(send) } : task.options;
  for (let index = task.from; index < ops.length; index++) {
    const op = ops[index];
    if (!selected(op, task.select)) {
      // Not run at all: a hang elsewhere in the file costs nothing.
      send({ type: 'left-out' });
      continue;
    }
    containment.enter(task.shown, op.name);
    send({ type: 'start', index });
    const report = task.job === 'sweep' ? sweepPlanned(op, options, task) : checkPlanned(op, options, task.shown, task.overrides);
    send({ type: 'done', report: qualifyError(report, op.location?.file) });
  }
}

function selected(op: Op, select: OpSelection | undefined): boolean {
  return select === undefined || (matchesAny(op.name, select.only) && inShard({ file: select.identity, name: op.name }, select.shard));
}

/** `gradcheck sweep` takes the config's settings and an op's skip as `run` does; its expectation is no sweep's concern. */
function sweepPlanned(op: Op, options: CheckOptions, task: CheckTask): JobReport {
  const plan = planFor(op, options, task.overrides);
  if ('error' in plan) return inJobShape('sweep', { ...fileErrorReport(task.shown, plan.error, undefined, options), name: op.name, line: op.location?.line });
  if ('skip' in plan) return inJobShape('sweep', skippedReport(op, task.shown, plan.skip, plan.options));
  return sweepOp(op, plan.options, task.shown);
}

/** gradcheck.config.ts: imported and validated here, so that it runs under the same watch as an op file. */
async function runConfigTask(task: CheckTask, worker: WorkerState, pendingBefore: number): Promise<void> {
  const { send, containment } = worker;
  const result = await readConfigFile(task.file, task.shown);
  await containment.settle(pendingBefore);
  const failedLater = containment.takeErrors()[0];
  await finishFile(task, worker, pendingBefore);
  if ('error' in result || failedLater) {
    const message = 'error' in result ? result.error : importErrorMessage(task, failedLater);
    const stack = 'error' in result ? result.stack : undefined;
    send({ type: 'load-error', report: fileErrorReport(task.shown, message, stack, task.options) });
    return;
  }
  send({ type: 'config', config: result.config });
  send({ type: 'finished' });
}

/** An unhandled rejection or a throwing callback while (or right after) the file was imported: the file's error. */
function importErrorMessage(task: CheckTask, failed: AsyncError): string {
  return asyncErrorMessage(task.shown, failed.kind, failed.error, resolve(task.file), 'import');
}

/**
 * After a file: what its ops left behind. Errors raised after the ops returned are warnings (the
 * verdicts stand: they came from the values the ops returned); they, pending callbacks and changed
 * globals all retire the worker, so nothing of this file reaches the next.
 */
async function finishFile(task: CheckTask, { send, containment, baseline }: WorkerState, pendingBefore: number): Promise<void> {
  await containment.settle(pendingBefore);
  const stray = containment.takeErrors();
  // A callback set up by every evaluation of an op fails as many times: one line, with the count.
  const counts = new Map<string, number>();
  for (const failed of stray) {
    const message = asyncErrorMessage(task.shown, failed.kind, failed.error, resolve(task.file), 'ops');
    counts.set(message, (counts.get(message) ?? 0) + 1);
  }
  for (const [message, count] of counts) send({ type: 'warning', message: count > 1 ? `${message} (${count} times)` : message });
  const changed = changedGlobals(baseline);
  if (changed.length > 0) {
    const shown = changed.length > 3 ? `${changed.slice(0, 3).join(', ')} and ${changed.length - 3} more` : changed.join(', ');
    send({ type: 'warning', message: `${task.shown} changed ${shown}: the files after it are checked in a fresh worker` });
  }
  if (stray.length > 0 || changed.length > 0 || containment.pendingCallbacks() > pendingBefore) send({ type: 'retire' });
}

/** Progress crosses threads at most every 100 ms (and at the end of each op's numeric side). */
function throttledProgress(send: Send): (progress: CheckProgress) => void {
  let lastProgress = 0;
  return (progress) => {
    const now = performance.now();
    if (progress.done < progress.total && now - lastProgress < 100) return;
    lastProgress = now;
    send({ type: 'progress', progress });
  };
}

/** An op's name, line and declared input shapes, for the main thread (and for `list`). */
function describeOp(op: Op): OpHeader {
  const specs = (op.spec?.inputs ?? {}) as Record<string, InputSpec>;
  return { name: op.name, line: op.location?.line, inputs: Object.entries(specs).map(([name, spec]) => ({ name, shape: declaredShape(spec) })) };
}
