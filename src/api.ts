// The library API. The CLI is a thin shell over the same pieces: loading (load/), the run's plan for
// each op (run/plan.ts: the config's settings, skip, expect) and the checker, here in the calling
// process and its worker threads in the CLI's.
import type { Op } from './spec/define.ts';
import { sharingHelpers } from './check/threads/split.ts';
import { loadOpsOrReport } from './load/load-ops.ts';
import { setupRuntime } from './load/runtime.js';
import { displayPath, qualifyError, summarize } from './model/build.ts';
import type { CheckOptions } from './model/options.ts';
import type { OpReport, RunReport } from './model/report.ts';
import { checkPlanned } from './run/plan.ts';

/** Checks one op and returns its report (the same object as one entry of `run --json`); an op marked `skip` or `expect: 'fail'` is reported as `run` reports it. */
export async function gradcheck(op: Op, options: CheckOptions = {}): Promise<OpReport> {
  return checkPlanned(op, options, op.location?.file ?? '');
}

/** Loads an op file and checks every op it exports. A file that cannot load yields one error report. */
export async function checkFile(file: string, options: CheckOptions = {}): Promise<OpReport[]> {
  const shown = displayPath(file);
  // Op files are TypeScript importing 'gradcheck': the runtime the CLI runs in (tsx, and 'gradcheck'
  // resolving to this copy), also for a caller in plain Node. Set up once per process.
  await setupRuntime();
  const ops = await loadOpsOrReport(file, shown, options);
  if (!Array.isArray(ops)) return [ops];
  return sharingHelpers(() => ops.map((op) => qualifyError(checkPlanned(op, options, shown), op.location?.file)));
}

export interface CheckFilesOptions extends CheckOptions {
  /** Called with each file's reports as soon as that file is checked, in the order given: a reporter that streams. */
  onFile?: (file: { file: string; reports: OpReport[] }) => void;
}

/** Checks every file in turn and gathers one run report. */
export async function checkFiles(files: string[], { onFile, ...options }: CheckFilesOptions = {}): Promise<RunReport> {
  const ops: OpReport[] = [];
  for (const file of files) {
    const reports = await checkFile(file, options);
    onFile?.({ file: displayPath(file), reports });
    ops.push(...reports);
  }
  return summarize(ops, options);
}
