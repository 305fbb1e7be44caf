// The library API. The CLI is a thin shell over these functions.
import { relative, resolve } from 'node:path';
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

/** An op's error as one self-contained line: file, line, op, what went wrong, and where in the user's code. */
export function qualifyError(report: OpReport, sourceFile?: string): OpReport {
  if (report.status !== 'error' || report.error === undefined) return report;
  const where = report.line ? `${report.file}:${report.line}` : report.file;
  const frame = sourceFile ? userLine(report.stack, sourceFile) : undefined;
  const at = frame !== undefined && frame !== report.line ? ` (at line ${frame})` : '';
  return { ...report, error: `${where}: op '${report.name}': ${report.error}${at}` };
}

/** The line of the first stack frame in the op file itself: where the user's code threw. */
function userLine(stack: string | undefined, sourceFile: string): number | undefined {
  if (!stack) return undefined;
  for (const frame of stack.split('\n').slice(1)) {
    const match = /\(?((?:file:\/\/)?[^()\s]+?):(\d+):(\d+)\)?\s*$/.exec(frame);
    if (!match) continue;
    const path = match[1].startsWith('file://') ? new URL(match[1]).pathname : match[1];
    if (path === sourceFile) return Number(match[2]);
  }
  return undefined;
}

/** esbuild's "Transform failed with 1 error:\nfile:3:86: ERROR: Unexpected ..." as one line. */
export function loadErrorMessage(shown: string, error: unknown, sourceFile: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const syntax = /^(?:\S.*?):(\d+):(\d+): ERROR: (.*)$/m.exec(message);
  if (/Transform failed/.test(message) && syntax) return `${shown}:${syntax[1]}:${syntax[2]}: syntax error: ${syntax[3]}`;
  if (error instanceof SyntaxError) return `${shown}: syntax error: ${message.split('\n')[0]}`;
  const name = error instanceof Error && error.name !== 'Error' ? `${error.name}: ` : '';
  const line = userLine(stackOf(error), sourceFile);
  return `${shown}${line ? `:${line}` : ''}: importing the file threw ${name}${message.split('\n')[0]}`;
}

function stackOf(error: unknown): string | undefined {
  return error instanceof Error ? error.stack : undefined;
}
