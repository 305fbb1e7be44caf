// The worker's half of isolation, for what an op file (or the config) does besides returning values:
// - what it writes to stdout or stderr goes to the main thread as 'output' messages, labelled with
//   the file and op, so that stdout carries the report alone (`--json` stays one JSON document);
// - process.exit, process.abort, process.chdir and signals to the process itself throw, so they are
//   the op's error: in a worker thread a signal would reach the whole process, gradcheck included;
// - unhandled promise rejections and callbacks that throw are recorded for worker-side.ts to report,
//   not left to end the worker (or pass unseen) once the file that caused them is done;
// - a child process it starts with stdout inherited writes to gradcheck's stderr instead, so that
//   `--json` stays one document (the scheduler stops what it leaves running: children.ts).
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import type { WorkerMessage } from './protocol.ts';

/** An error no call stack of the op's own caught: a rejected promise nobody handled, or a throwing callback. */
export interface AsyncError {
  kind: 'rejection' | 'exception';
  error: unknown;
}

export interface Containment {
  /** Who runs from now on: output is labelled, and asynchronous errors collected, for this file (and op). */
  enter(file: string, op?: string): void;
  /** The asynchronous errors since the last call. */
  takeErrors(): AsyncError[];
  /** Timers and immediates now pending: a file that leaves more than it found leaves code to run later. */
  pendingCallbacks(): number;
  /** Lets what is already due run: rejections, immediates and, if the file added any, expired timers. */
  settle(pendingBefore: number): Promise<void>;
  /** An error of the worker's own code: it ends the worker (the scheduler reports its op as crashed). */
  crash(error: unknown): void;
}

/** Installs the redirections on this worker thread; call once, before the first file. */
export function contain(send: (message: WorkerMessage) => void): Containment {
  let label = '';
  let errors: AsyncError[] = [];
  redirectOutput(send, () => label);
  redirectChildOutput();
  refuseProcessExits();
  const onException = (error: unknown): void => void errors.push({ kind: 'exception', error });
  const onRejection = (error: unknown): void => void errors.push({ kind: 'rejection', error });
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  const pendingCallbacks = (): number => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout' || kind === 'Immediate').length;
  return {
    enter(file, op) {
      label = op === undefined ? file : `${file} › ${op}`;
    },
    takeErrors() {
      const taken = errors;
      errors = [];
      return taken;
    },
    pendingCallbacks,
    async settle(pendingBefore) {
      await new Promise((resolve) => setImmediate(resolve));
      // A setTimeout(…, 0) the file made expires before this one, which is queued after it.
      if (pendingCallbacks() > pendingBefore) await new Promise((resolve) => setTimeout(resolve, 0));
    },
    crash(error) {
      process.off('uncaughtException', onException);
      process.off('unhandledRejection', onRejection);
      setImmediate(() => {
        throw error;
      });
    },
  };
}

/** stdout and stderr writes become 'output' messages: ordered with the task's own messages, and never on the main thread's stdout. */
function redirectOutput(send: (message: WorkerMessage) => void, label: () => string): void {
  for (const stream of ['stdout', 'stderr'] as const) {
    const target = process[stream];
    const write = (chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString(typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
      if (text !== '') send({ type: 'output', stream, label: label(), text });
      const done = typeof encoding === 'function' ? encoding : callback;
      if (typeof done === 'function') process.nextTick(done as () => void);
      return true;
    };
    target.write = write as typeof target.write;
  }
}

/**
 * A child process shares gradcheck's file descriptors: one started with stdout inherited (`stdio:
 * 'inherit'`, fork's default) would write into the report. Its stdout becomes gradcheck's stderr,
 * where op files' output goes. Every asynchronous spawn (spawn, exec, execFile, fork) goes through
 * ChildProcess.prototype.spawn; the synchronous ones are the module's exports, which ES module
 * imports of node:child_process see once synced.
 */
function redirectChildOutput(): void {
  // Node's own method, not in its types: `child.spawn(options)` starts the process.
  const prototype = childProcess.ChildProcess.prototype as unknown as { spawn: (options: childProcess.SpawnOptions) => unknown };
  const spawn = prototype.spawn;
  prototype.spawn = function spawnWithoutStdout(this: unknown, options: childProcess.SpawnOptions) {
    return spawn.call(this, withoutStdout(options));
  };
  const sync = childProcess as unknown as Record<'spawnSync' | 'execSync' | 'execFileSync', (...args: unknown[]) => unknown>;
  for (const name of ['spawnSync', 'execSync', 'execFileSync'] as const) {
    const original = sync[name];
    sync[name] = (...args: unknown[]) => original(...args.map((arg, k) => (k > 0 && isOptions(arg) ? withoutStdout(arg) : arg)));
  }
  syncBuiltinESMExports();
}

function isOptions(value: unknown): value is childProcess.SpawnOptions {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The options with the child's stdout on gradcheck's stderr (fd 2) wherever it was gradcheck's stdout. */
function withoutStdout<T extends childProcess.SpawnOptions>(options: T): T {
  const { stdio } = options ?? {};
  if (stdio === 'inherit') return { ...options, stdio: [0, 2, 2] };
  if (Array.isArray(stdio) && (stdio[1] === 'inherit' || stdio[1] === 1)) return { ...options, stdio: [stdio[0], 2, ...stdio.slice(2)] };
  return options;
}

/** What would end or signal the whole process (or, for chdir, change it for every file) throws instead. */
function refuseProcessExits(): void {
  const kill = process.kill.bind(process);
  const refuse = (call: string, effect: string): never => {
    throw new Error(`${call} is not allowed: it would ${effect}`);
  };
  process.kill = ((pid: number, signal?: string | number) => {
    // Signal 0 only asks whether the process exists; 0 and -1 as pids reach gradcheck too.
    const self = [process.pid, -process.pid, 0, -1].includes(Number(pid));
    if (self && signal !== 0) refuse(`process.kill(${pid}${signal === undefined ? '' : `, ${JSON.stringify(signal)}`})`, "signal gradcheck's own process");
    return kill(pid, signal);
  }) as typeof process.kill;
  process.exit = ((code?: number | string | null) => refuse(`process.exit(${code ?? ''})`, "end gradcheck's run (throw an Error to report a problem)")) as typeof process.exit;
  process.abort = () => refuse('process.abort()', "end gradcheck's run");
  process.chdir = () => refuse('process.chdir()', 'change the working directory of the whole run');
}
