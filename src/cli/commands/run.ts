// `gradcheck run`: check op files and print the results.
import { checkFiles } from '../../api.ts';
import type { RunReport } from '../../check/types.ts';
import { DEFAULT_SEED, DEFAULT_TOLERANCE } from '../../check/types.ts';
import { loadConfig, withConfig } from '../../config.ts';
import { emitRunReport } from '../../report/emit.ts';
import type { OutputOptions } from '../../report/emit.ts';
import { createProgress } from '../../report/progress.ts';
import { onlyOp, resolveFiles, UsageError } from '../select.ts';

export interface RunOptions extends OutputOptions {
  tol?: number;
  eps?: number[];
  seed?: number;
  /** Only the op with this name. */
  op?: string;
  json?: boolean;
  verbose?: boolean;
}

export async function runCommand(paths: string[], options: RunOptions): Promise<number> {
  const { config } = await loadConfig();
  options = withConfig(options, config);
  let files: string[];
  try {
    files = resolveFiles(paths.length > 0 ? paths : (config.files ?? []));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`gradcheck: ${error.message}\n(run gradcheck --help for usage)\n`);
      return 2;
    }
    throw error;
  }
  const progress = createProgress(process.stderr);
  const report = onlyOp(await checkFiles(files, {
    tolerance: options.tol ?? DEFAULT_TOLERANCE,
    eps: options.eps,
    seed: options.seed ?? DEFAULT_SEED,
    onProgress: progress.onProgress,
  }), options.op);
  progress.done();
  emitRunReport(report, options);
  return exitCode(report);
}

export function exitCode(report: RunReport): number {
  if (report.ops.some((op) => op.status === 'error')) return 2;
  if (report.ops.some((op) => op.status === 'fail')) return 1;
  return 0;
}
