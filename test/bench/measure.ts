// In-process timings of gradcheck on the seven benchmark ops, through the library API.
// Each figure is a median of several runs after warm-up runs; `elapsedMs` is the check itself.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkOp } from '../../src/check/check-op.ts';
import { createProblem } from '../../src/check/problem.ts';
import type { CheckOptions } from '../../src/model/options.ts';
import type { OpReport } from '../../src/model/report.ts';
import { loadOps } from '../../src/load/load-ops.ts';
import { materializeInputs } from '../../src/spec/inputs.ts';
import { defineOp } from '../../src/spec/define.ts';
import type { Op, OpSpec } from '../../src/spec/define.ts';
import { Tensor } from '../../src/core/index.ts';

export const OPS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'ops');

/** The order of the table (and of torch_peer.py). */
const ORDER = ['tanh', 'matmul', 'softmax-cross-entropy', 'mlp', 'layernorm', 'attention', 'sum-matmul-64'];

export function benchOpFiles(): string[] {
  const present = new Set(readdirSync(OPS_DIR));
  return ORDER.map((name) => `${name}.ts`).filter((file) => present.has(file)).map((file) => join(OPS_DIR, file));
}

export async function loadBenchOps(): Promise<Op[]> {
  const ops: Op[] = [];
  for (const file of benchOpFiles()) ops.push(...(await loadOps(file)));
  return ops;
}

/** A check mode by name; `undefined` is the checker's default. Passed through untyped until every mode exists. */
export type ModeName = 'default' | 'element-wise' | 'fast';

/**
 * Element-wise on one thread: the floor compares one thread's evaluations with one forward, and a
 * helper thread's start-up and CPU would be counted against the check.
 */
export function optionsFor(mode: ModeName): CheckOptions {
  if (mode === 'element-wise') return { mode, threads: 1 };
  return (mode === 'default' ? {} : { mode }) as CheckOptions;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export interface CheckTiming {
  name: string;
  ms: number;
  /** What the checker reported for the last run. */
  mode: string;
  status: string;
  evaluations: number;
}

/** Times a check; `undefined` when the checker does not run this op in the requested mode (yet). */
/**
 * 'wall' is the report's own `elapsedMs`; 'cpu' is the process's CPU time over the check, which a
 * machine shared with other jobs inflates far less (torch_peer.py measures the same way).
 */
export type Clock = 'wall' | 'cpu';

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

export function timeCheck(op: Op, mode: ModeName, runs: number, clock: Clock = 'wall'): CheckTiming | undefined {
  const options = optionsFor(mode);
  // Warm-up until the JIT has settled: repeated for a second, up to 1000 runs (a slow check warms in
  // one). Measured on a loaded machine, 200 ms left softmax + cross-entropy at 40 ms instead of 6;
  // and 50 runs left tanh 64 still being compiled, on V8's background thread, whose CPU time the
  // 'cpu' clock counts: 2.75 ms of CPU for a 1.5 ms check, 1.17 ms after 1000 runs.
  const warmUpStarted = performance.now();
  let warmUp = checkOp(op, options);
  for (let r = 1; r < 1000 && performance.now() - warmUpStarted < 1000; r++) warmUp = checkOp(op, options);
  if (mode !== 'default' && warmUp.mode !== mode) return undefined;
  const reports: OpReport[] = [];
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const started = cpuMs();
    const report = checkOp(op, options);
    times.push(clock === 'cpu' ? cpuMs() - started : report.elapsedMs);
    reports.push(report);
  }
  const last = reports[reports.length - 1];
  return {
    name: op.name,
    ms: median(times),
    mode: last.mode,
    status: last.status === 'error' ? `error: ${last.error}` : last.status,
    evaluations: last.evaluations,
  };
}

export interface FloorTiming extends CheckTiming {
  /** One no-tape forward, timed right after each check run. */
  forwardMs: number;
  /** Median over runs of check time ÷ (evaluations × forward time) in that run. */
  ratio: number;
}

/**
 * The element-wise check against its floor (evaluations × one forward), each check run followed at
 * once by a batch of forwards: the machine's speed drifts by a third over a minute here, and a check
 * and a forward timed far apart would compare two different machines.
 */
export function timeFloor(op: Op, runs: number, clock: Clock = 'wall'): FloorTiming | undefined {
  const warm = timeCheck(op, 'element-wise', 1, clock);
  if (warm === undefined) return undefined;
  const problem = createProblem(op, materializeInputs(op, 0));
  const forward = forwardTimer(problem, clock);
  const checks: number[] = [];
  const forwards: number[] = [];
  const ratios: number[] = [];
  // A small op's check takes under a millisecond: a batch of them (~20 ms, like the forwards'),
  // so that a garbage collection falls on the check's side as often as on the forward's.
  const batch = Math.max(1, Math.ceil(20 / warm.ms));
  const now = clock === 'cpu' ? cpuMs : () => performance.now();
  for (let r = 0; r < runs; r++) {
    const started = now();
    let report = checkOp(op, optionsFor('element-wise'));
    for (let b = 1; b < batch; b++) report = checkOp(op, optionsFor('element-wise'));
    const checkMs = (now() - started) / batch;
    const forwardMs = forward();
    checks.push(checkMs);
    forwards.push(forwardMs);
    ratios.push(checkMs / (report.evaluations * forwardMs));
  }
  return { ...warm, ms: median(checks), forwardMs: median(forwards), ratio: median(ratios) };
}

/** Times one forward as the mean of a batch long enough (~20 ms) that the timer's resolution does not matter. */
function forwardTimer(problem: ReturnType<typeof createProblem>, clock: Clock): () => number {
  const now = clock === 'cpu' ? cpuMs : () => performance.now();
  const batch = (count: number) => {
    const started = now();
    for (let i = 0; i < count; i++) problem.evaluate();
    return (now() - started) / count;
  };
  let count = 1;
  while (batch(count) * count < 20) count *= 2;
  return () => batch(count);
}

/** Where a fast-mode check's time goes: forward evaluations, backward passes (each with its forward), the rest. */
export interface FastBreakdown {
  ms: number;
  evaluations: number;
  backwards: number;
  evaluationsMs: number;
  backwardsMs: number;
  overheadMs: number;
}

/**
 * The fast check's time split by what it ran. Backward passes are counted by watching
 * Tensor.prototype.backward during one check (the bench ops are tensor ops), and each is priced at
 * one forward with its tape plus one backward, timed on their own.
 */
export function fastBreakdown(op: Op, timing: CheckTiming, clock: Clock = 'wall'): FastBreakdown {
  const original = Tensor.prototype.backward;
  let backwards = 0;
  Tensor.prototype.backward = function counted(this: Tensor, ...args: Parameters<Tensor['backward']>) {
    backwards++;
    return original.apply(this, args);
  };
  try {
    checkOp(op, optionsFor('fast'));
  } finally {
    Tensor.prototype.backward = original;
  }
  const problem = createProblem(op, materializeInputs(op, 0));
  const output = problem.evaluate();
  const cotangent = new Float64Array(output.length).fill(1);
  const forwardMs = batchMean(() => problem.evaluate(), clock);
  const vjpMs = batchMean(() => problem.vjp(cotangent), clock);
  const evaluationsMs = timing.evaluations * forwardMs;
  const backwardsMs = backwards * vjpMs;
  return { ms: timing.ms, evaluations: timing.evaluations, backwards, evaluationsMs, backwardsMs, overheadMs: timing.ms - evaluationsMs - backwardsMs };
}

function batchMean(run: () => unknown, clock: Clock): number {
  const now = clock === 'cpu' ? cpuMs : () => performance.now();
  for (let i = 0; i < 20; i++) run();
  let count = 1;
  for (;;) {
    const started = now();
    for (let i = 0; i < count; i++) run();
    const spent = now() - started;
    if (spent >= 20) return spent / count;
    count *= 2;
  }
}

/** The same op declared float32: what the float32 check costs beside the float64 one. */
export function float32Twin(op: Op): Op {
  return defineOp({ ...(op.spec as OpSpec), precision: 'float32' } as never);
}

/** Wall-clock time of one element-wise check (median of `runs`): what a multi-core check saves shows here, not in CPU time. */
export function wallElementWise(op: Op, runs: number): { ms: number; evaluations: number } {
  const options: CheckOptions = { mode: 'element-wise' };
  let report = checkOp(op, options);
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const started = performance.now();
    report = checkOp(op, options);
    times.push(performance.now() - started);
  }
  return { ms: median(times), evaluations: report.evaluations };
}

/** A python that imports torch (the peer), or why there is none. */
export function findTorchPython(): { python?: string; why?: string } {
  const candidates = [process.env.GRADCHECK_BENCH_PYTHON, '/usr/bin/python3', 'python3'].filter((p): p is string => !!p);
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
    if (probe.status === 0) return { python };
  }
  return { why: `torch is not installed for ${candidates.join(' or ')} (apt-get install -y python3-torch)` };
}
