// Chooses the reporter for `run` and writes the side files (--junit, --html): the command computes
// the report, this only prints it.
import type { RunReport } from '../model/report.ts';
import type { Writer } from './format.ts';
import { printAnnotated, stepSummary } from './github.ts';
import { formatHtml } from './html.ts';
import { printJson } from './json.ts';
import { formatJunit } from './junit.ts';
import { formatMarkdown } from './markdown.ts';
import { printTable } from './table.ts';
import { writeReportFiles } from './files.ts';

export const REPORTERS = ['table', 'json', 'junit', 'github', 'markdown'] as const;
export type ReporterName = (typeof REPORTERS)[number];

export interface OutputOptions {
  reporter?: ReporterName;
  /** The same as `reporter: 'json'`. */
  json?: boolean;
  /** Also write JUnit XML to this file. */
  junit?: string;
  /** Also write a self-contained HTML report to this file. */
  html?: string;
  verbose?: boolean;
}

/**
 * Prints the report and writes its files. A file that cannot be written does not stop the others:
 * every one is tried, then a ReportFileError names those that failed.
 */
export function emitRunReport(report: RunReport, options: OutputOptions, out: Writer = process.stdout, env: NodeJS.ProcessEnv = process.env): void {
  const reporter = options.json ? 'json' : (options.reporter ?? 'table');
  const printOptions = { verbose: options.verbose };
  if (reporter === 'json') printJson(report, out, printOptions);
  else if (reporter === 'junit') out.write(formatJunit(report, printOptions));
  else if (reporter === 'github') printAnnotated(report, out, printOptions, env);
  else if (reporter === 'markdown') out.write(formatMarkdown(report));
  else printTable(report, out, printOptions);
  writeReportFiles([
    ...(reporter === 'github' ? stepSummary(report, env) : []),
    ...(options.junit ? [{ path: options.junit, text: () => formatJunit(report, printOptions), what: 'the JUnit report' }] : []),
    ...(options.html ? [{ path: options.html, text: () => formatHtml(report, { title: 'gradcheck report' }), what: 'the HTML report' }] : []),
  ]);
}
