// The library API. The CLI is a thin shell over these functions.
import type { Op } from './spec/define.ts';
import { checkOp } from './check/check-op.ts';
import { sharingHelpers } from './check/threads/split.ts';
import { loadOpsOrReport } from './load/load-ops.ts';
import { setupRuntime } from './load/runtime.js';
import { displayPath, qualifyError, summarize } from './model/build.ts';
import type { CheckOptions } from './model/options.ts';
import type { OpReport, RunReport } from './model/report.ts';

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
  return sharingHelpers(() => ops.map((op) => qualifyError(checkOp(op, options, shown), op.location?.file)));
}

/** Checks every file in turn and gathers one run report. */
export async function checkFiles(files: string[], options: CheckOptions = {}): Promise<RunReport> {
  const ops: OpReport[] = [];
  for (const file of files) ops.push(...(await checkFile(file, options)));
  return summarize(ops, options);
}
