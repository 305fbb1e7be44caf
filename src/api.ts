// The library API. The CLI is a thin shell over these functions.
import { resolve } from 'node:path';
import type { Op } from './op/define.ts';
import { checkOp } from './check/check-op.ts';
import { loadOps } from './load/load-ops.ts';
import { setupRuntime } from './load/runtime.js';
import { displayPath, fileErrorReport, loadErrorMessage, qualifyError, stackOf, summarize } from './run/results.ts';
import type { CheckOptions, OpReport, RunReport } from './check/types.ts';

/** Checks one op and returns its report (the same object as one entry of `run --json`). */
export async function gradcheck(op: Op, options: CheckOptions = {}): Promise<OpReport> {
  return checkOp(op, options, op.location?.file ?? '');
}

/** Loads an op file and checks every op it exports. A file that cannot load yields one error report. */
export async function checkFile(file: string, options: CheckOptions = {}): Promise<OpReport[]> {
  const shown = displayPath(file);
  // Op files are TypeScript importing 'gradcheck': the runtime the CLI runs in (tsx, and 'gradcheck'
  // resolving to this copy), also for a caller in plain Node. Set up once per process.
  await setupRuntime();
  const ops = await loadOpsOrReport(file, shown, options);
  if (!Array.isArray(ops)) return [ops];
  return ops.map((op) => qualifyError(checkOp(op, options, shown), op.location?.file));
}

/**
 * An op file's ops, or the one error report of a file that could not be imported or exports no op:
 * the one loading path of the library and of the CLI's workers.
 */
export async function loadOpsOrReport(file: string, shown: string, options: CheckOptions): Promise<Op[] | OpReport> {
  let ops: Op[];
  try {
    ops = await loadOps(file);
  } catch (error) {
    return fileErrorReport(shown, loadErrorMessage(shown, error, resolve(file)), stackOf(error), options);
  }
  if (ops.length === 0) return fileErrorReport(shown, `no defineOp export in ${shown}`, undefined, options);
  return ops;
}

/** Checks every file in turn and gathers one run report. */
export async function checkFiles(files: string[], options: CheckOptions = {}): Promise<RunReport> {
  const ops: OpReport[] = [];
  for (const file of files) ops.push(...(await checkFile(file, options)));
  return summarize(ops, options);
}
