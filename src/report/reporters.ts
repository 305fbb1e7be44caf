// The reporters by name, as vitest keeps them: each turns the run's report into text, and the two
// that print for a reader (table, github) also stream, a file's part as soon as that file is done.
// Which reporters run, and where each one's text goes, is emit.ts's concern; a reporter only formats.
import type { OpReport, RunReport } from '../model/report.ts';
import type { ReporterName } from '../model/defaults.ts';
import type { ReportFile } from './files.ts';
import { formatAnnotations, stepSummary } from './github.ts';
import { formatHtml } from './html.ts';
import { formatJson } from './json.ts';
import { formatJunit } from './junit.ts';
import { formatMarkdown } from './markdown.ts';
import { formatOpTables, formatSummary } from './table.ts';

export interface ReportContext {
  verbose?: boolean;
  /** The terminal's width, for the reporters that lay text out to one (none when writing a file). */
  width?: number;
  env: NodeJS.ProcessEnv;
}

export interface Reporter {
  /** What the report is called when a file of it cannot be written: 'the JUnit report'. */
  what: string;
  /** The whole report as one text: what a file gets, and what stdout gets from a reporter that does not stream. */
  format(report: RunReport, context: ReportContext): string;
  /** A reporter that streams: a file's part as soon as the file is done, then the rest at the end. */
  stream?: {
    file(ops: readonly OpReport[], context: ReportContext): string;
    end(report: RunReport, context: ReportContext): string;
  };
  /** Files the reporter writes wherever its text goes (github: the step summary). */
  files?(report: RunReport, context: ReportContext): ReportFile[];
}

const summaryLine = (report: RunReport, context: ReportContext) => `${formatSummary(report, context.width)}\n`;
const annotations = (report: RunReport, context: ReportContext) => formatAnnotations(report, context.env).map((line) => `${line}\n`).join('');

const table: Reporter = {
  what: 'the table',
  format: (report, context) => formatOpTables(report.ops, context) + summaryLine(report, context),
  stream: { file: (ops, context) => formatOpTables(ops, context), end: summaryLine },
};

export const REPORTER_MAP: Record<ReporterName, Reporter> = {
  table,
  // The tables for the log, then an ::error annotation per op that failed or could not run.
  github: {
    what: 'the GitHub report',
    format: (report, context) => table.format(report, context) + annotations(report, context),
    stream: { file: table.stream!.file, end: (report, context) => summaryLine(report, context) + annotations(report, context) },
    files: (report, context) => stepSummary(report, context.env),
  },
  json: { what: 'the JSON report', format: (report, context) => `${formatJson(report, context)}\n` },
  junit: { what: 'the JUnit report', format: (report, context) => formatJunit(report, context) },
  markdown: { what: 'the Markdown report', format: (report) => formatMarkdown(report) },
  html: { what: 'the HTML report', format: (report) => formatHtml(report, { title: 'gradcheck report' }) },
};
