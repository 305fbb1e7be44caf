// The `toPassGradcheck` matcher, framework-free: vitest registers it in gradcheck/vitest, a Jest
// user passes `gradcheckMatchers` to `expect.extend`. Its failure message is the CLI's table and
// diagnoses, colour codes stripped (test runners print them as garbage in logs and CI).
import { stripVTControlCharacters } from 'node:util';
import { gradcheck } from '../api.ts';
import { isOp } from '../spec/define.ts';
import type { CheckOptions } from '../model/options.ts';
import type { OpReport } from '../model/report.ts';
import { formatExp } from '../report/format.ts';
import { formatOpTable } from '../report/table.ts';

export interface MatcherResult {
  pass: boolean;
  message: () => string;
}

/** The op's report as plain text: the same table and diagnoses `gradcheck run` prints. */
export function formatReportPlain(report: OpReport): string {
  return stripVTControlCharacters(formatOpTable(report));
}

export const gradcheckMatchers = {
  /** `await expect(op).toPassGradcheck(options?)`: the op's backward agrees with centered differences. */
  async toPassGradcheck(received: unknown, options: CheckOptions = {}): Promise<MatcherResult> {
    if (!isOp(received)) {
      const got = received === null ? 'null' : typeof received === 'object' ? (received.constructor?.name ?? 'an object') : typeof received;
      return { pass: false, message: () => `toPassGradcheck expects an op made by defineOp or tfjsOp, got ${got}` };
    }
    const report = await gradcheck(received, options);
    // Skipped (the op's `skip`): nothing was checked, and a skip is no failure, as in a test runner.
    if (report.status === 'skipped') return { pass: true, message: () => `op '${report.name}' is skipped (${report.skip}): nothing was checked` };
    const pass = report.status === 'pass';
    const precision = report.precision === 'float32' ? ', float32' : '';
    const summary =
      report.status === 'error'
        ? `op '${report.name}' could not be checked: ${report.error ?? 'unknown error'}`
        : `op '${report.name}' ${pass ? 'passed' : 'failed'} gradcheck: largest relative error ${formatExp(report.maxRelErr)}, tolerance ${formatExp(report.tolerance, 0)}${precision}`;
    return {
      pass,
      message: () => `${pass ? 'expected the op to fail, but ' : ''}${summary}\n\n${formatReportPlain(report)}`,
    };
  },
};
