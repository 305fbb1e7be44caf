// What crosses the thread boundary of the isolated run: the task the main thread (scheduler.ts)
// posts to a worker, and the messages the worker (worker-side.ts) posts back. Types only, so that
// both sides, and results.ts which builds reports for both, share them without importing each other.
import type { OpSweep } from '../model/report.ts';
import type { CheckOptions, CheckProgress } from '../model/options.ts';
import type { OpReport } from '../model/report.ts';
import type { GradcheckConfig } from '../load/config.ts';
import type { Shard } from '../model/selection.ts';
import type { OpOverrideList } from './plan.ts';

/**
 * What a worker does with each op: check it (`run`), sweep ε over it (`sweep`), or only list it
 * (`list`); or, for `config`, import gradcheck.config.ts and validate what it exports.
 */
export type Job = 'check' | 'sweep' | 'list' | 'config';
/** One op's report: a check's or a sweep's, as the job says. */
export type JobReport = OpReport | OpSweep;

/** What the main thread asks of a worker: check (or sweep) the ops of `file` from index `from` on. */
export interface CheckTask {
  job: Job;
  file: string;
  /** The file as reports name it (see displayPath). */
  shown: string;
  from: number;
  /** The check options, less onProgress: a function cannot be posted to another thread. */
  options: CheckOptions;
  /** Whether to post progress messages. */
  progress: boolean;
  /** Which of the file's ops the run takes; the others are left out before anything of theirs runs. */
  select?: OpSelection;
  /** The config's settings for ops by name or pattern. */
  overrides?: OpOverrideList;
  /**
   * The file was found in a folder or by a glob, not named: a module there that defines no op (a
   * helper) is no error, and the file is loaded with no ops.
   */
  mayHoldNoOp?: boolean;
}

/** The ops a run takes from a file: those matching `only` (`--op`), in `shard` by their identity. */
export interface OpSelection {
  only?: string[];
  shard?: Shard;
  /** The file as shards name it: relative to the project's root, with forward slashes. */
  identity: string;
}

/** An op as its file declares it, before anything runs: what `list` prints. */
export interface OpHeader {
  name: string;
  line?: number;
  /** Each input's shape as declared; null for a malformed one (the check reports it). */
  inputs: { name: string; shape: (number | string)[] | null }[];
}

/** What an op file (or the config) wrote to stdout or stderr, and who was running when it did. */
export interface WorkerOutput {
  type: 'output';
  stream: 'stdout' | 'stderr';
  /** The file, and the op when one was running: 'ops/a.ts › tanh'. */
  label: string;
  text: string;
}

/**
 * What a worker posts while it runs a task, in this order: 'importing'; then 'load-error' (the end),
 * or 'loaded' followed, per op, by 'start', any 'progress' and 'done'; then 'finished'. An op the
 * task's selection leaves out gets 'left-out' in their place. A config task posts 'config' in place
 * of 'loaded' and the ops.
 *
 * At any time, unrelated to the task's own messages: 'output', 'warning' (something the user
 * should know that is no op's verdict), and 'retire': the worker must take no further file (the
 * file changed globals, or left callbacks behind), sent before the task's last message.
 */
export type WorkerMessage =
  /** `thread`: the worker's operating-system thread id, whose child processes are its files' (children.ts). */
  | { type: 'importing'; thread?: number }
  | { type: 'loaded'; ops: OpHeader[] }
  | { type: 'config'; config: GradcheckConfig }
  | { type: 'load-error'; report: JobReport }
  | { type: 'start'; index: number }
  | { type: 'progress'; progress: CheckProgress }
  | { type: 'done'; report: JobReport }
  | { type: 'left-out' }
  | { type: 'finished' }
  | WorkerOutput
  | { type: 'warning'; message: string }
  | { type: 'retire' };
