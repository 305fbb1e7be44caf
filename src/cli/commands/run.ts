// `gradcheck run`: check op files and print the results.
import { checkFiles } from '../../api.ts';
import { expandPaths, MissingPathError } from '../../load.ts';
import type { RunReport } from '../../check/types.ts';
import { printJson } from '../../report/json.ts';
import { printTable } from '../../report/table.ts';

export interface RunOptions {
  tol: number;
  eps?: number[];
  seed: number;
  json?: boolean;
  verbose?: boolean;
}

export async function runCommand(paths: string[], options: RunOptions): Promise<number> {
  let files: string[];
  try {
    files = expandPaths(paths);
  } catch (error) {
    if (error instanceof MissingPathError) {
      process.stderr.write(`gradcheck: ${error.message}\n(run gradcheck --help for usage)\n`);
      return 2;
    }
    throw error;
  }
  const report = await checkFiles(files, { tolerance: options.tol, eps: options.eps, seed: options.seed });
  if (options.json) printJson(report, process.stdout, { verbose: options.verbose });
  else printTable(report, process.stdout, { verbose: options.verbose });
  return exitCode(report);
}

export function exitCode(report: RunReport): number {
  if (report.ops.some((op) => op.status === 'error')) return 2;
  if (report.ops.some((op) => op.status === 'fail')) return 1;
  return 0;
}
