// Chooses the reporter for `run` and writes the side files (--junit, --html): the command computes
// the report, this only prints it.
import { writeFileSync } from 'node:fs';
import type { RunReport } from '../model/report.ts';
import type { Writer } from './format.ts';
import { printGithub } from './github.ts';
import { formatHtml } from './html.ts';
import { printJson } from './json.ts';
import { formatJunit } from './junit.ts';
import { formatMarkdown } from './markdown.ts';
import { printTable } from './table.ts';

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

export function emitRunReport(report: RunReport, options: OutputOptions, out: Writer = process.stdout, env: NodeJS.ProcessEnv = process.env): void {
  const reporter = options.json ? 'json' : (options.reporter ?? 'table');
  const printOptions = { verbose: options.verbose };
  if (reporter === 'json') printJson(report, out, printOptions);
  else if (reporter === 'junit') out.write(formatJunit(report, printOptions));
  else if (reporter === 'github') printGithub(report, out, printOptions, env);
  else if (reporter === 'markdown') out.write(formatMarkdown(report));
  else printTable(report, out, printOptions);
  if (options.junit) writeFileSync(options.junit, formatJunit(report, printOptions));
  if (options.html) writeFileSync(options.html, formatHtml(report, { title: 'gradcheck report' }));
}
