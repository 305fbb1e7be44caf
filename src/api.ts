// The library API. The CLI is a thin shell over these functions.
import { relative } from 'node:path';
import type { Op } from './op.ts';
import { checkOp } from './check/check-op.ts';
import { loadOps } from './load.ts';
import { setupRuntime } from './runtime.js';
import { DEFAULT_SEED, DEFAULT_TOLERANCE } from './check/types.ts';
import type { CheckOptions, OpReport, RunReport } from './check/types.ts';

/** Checks one op and returns its report (the same object as one entry of `run --json`). */
export async function gradcheck(op: Op, options: CheckOptions = {}): Promise<OpReport> {
  return checkOp(op, options, op.location?.file ?? '');
}

/** Loads an op file and checks every op it exports. A file that cannot load yields one error report. */
export async function checkFile(file: string, options: CheckOptions = {}): Promise<OpReport[]> {
  const shown = displayPath(file);
  let ops: Op[];
  try {
    // Op files are TypeScript importing 'gradcheck': the runtime the CLI runs in (tsx, and 'gradcheck'
    // resolving to this copy), also for a caller in plain Node. Set up once per process.
    await setupRuntime();
    ops = await loadOps(file);
  } catch (error) {
    return [fileError(shown, error, options)];
  }
  if (ops.length === 0) return [fileError(shown, new Error(`no defineOp export in ${shown}`), options)];
  return ops.map((op) => checkOp(op, options, shown));
}

/** Checks every file in turn and gathers one run report. */
export async function checkFiles(files: string[], options: CheckOptions = {}): Promise<RunReport> {
  const ops: OpReport[] = [];
  for (const file of files) ops.push(...(await checkFile(file, options)));
  return summarize(ops, options);
}

export function summarize(ops: OpReport[], options: CheckOptions): RunReport {
  return {
    passed: ops.every((op) => op.status === 'pass'),
    tolerance: options.tolerance ?? DEFAULT_TOLERANCE,
    seed: options.seed ?? DEFAULT_SEED,
    ops,
  };
}

export function displayPath(file: string): string {
  const shown = relative(process.cwd(), file);
  return shown.startsWith('..') ? file : shown;
}

function fileError(file: string, error: unknown, options: CheckOptions): OpReport {
  const message = error instanceof Error ? error.message : String(error);
  const shown = message.startsWith(`no defineOp`) ? message : `${file}: ${message}`;
  return fileErrorReport(file, shown, error instanceof Error ? error.stack : undefined, options);
}

/** The report of a file that could not be loaded (or held no op): one error entry named '(file)'. */
export function fileErrorReport(file: string, message: string, stack: string | undefined, options: CheckOptions): OpReport {
  return {
    file,
    name: '(file)',
    status: 'error',
    elapsedMs: 0,
    maxRelErr: NaN,
    tolerance: options.tolerance ?? DEFAULT_TOLERANCE,
    precision: 'float64',
    mode: 'element-wise',
    evaluations: 0,
    error: message,
    stack,
    diagnoses: [],
    inputs: [],
  };
}
