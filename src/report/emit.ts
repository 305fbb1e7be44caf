// Where each reporter's text goes: stdout, as each file is done for the reporters that stream and at
// the end for the others, or a file written at the end (folders created). The command computes the
// report and says which reporters go where; this only prints.
import { stripVTControlCharacters } from 'node:util';
import type { OpReport, RunReport } from '../model/report.ts';
import { REPORTERS } from '../model/defaults.ts';
import type { ReporterName } from '../model/defaults.ts';
import type { Writer } from './format.ts';
import { REPORTER_MAP } from './reporters.ts';
import type { ReportContext } from './reporters.ts';
import { writeReportFiles } from './files.ts';
import type { ReportFile } from './files.ts';

export { REPORTERS };
export type { ReporterName };

/** A reporter and where its text goes: a file, or stdout when there is none. */
export interface ReporterChoice {
  name: ReporterName;
  file?: string;
}

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

/** The reporters of the options the library and older callers give: one on stdout, and the --junit and --html files. */
export function choicesOf(options: OutputOptions): ReporterChoice[] {
  return [
    { name: options.json ? 'json' : (options.reporter ?? 'table') },
    ...(options.junit ? [{ name: 'junit' as const, file: options.junit }] : []),
    ...(options.html ? [{ name: 'html' as const, file: options.html }] : []),
  ];
}

export interface RunOutput {
  /** A file's ops, as soon as the file (and every file before it) is done. */
  onFile(ops: readonly OpReport[]): void;
  /**
   * The end of the run: what the reporters on stdout still have to print, then every report file.
   * A file that cannot be written does not stop the others: every one is tried, then a
   * ReportFileError names those that failed.
   */
  end(report: RunReport): void;
}

/** The output of a run to the reporters chosen; `width` lays out what goes to stdout. */
export function createRunOutput(choices: readonly ReporterChoice[], { verbose, width, out = process.stdout, env = process.env }: { verbose?: boolean; width?: number; out?: Writer; env?: NodeJS.ProcessEnv } = {}): RunOutput {
  const onStdout: ReportContext = { verbose, width, env };
  // A file is read later, elsewhere: no colours, lines as they are.
  const inFile: ReportContext = { verbose, env };
  const streaming = choices.filter((choice) => choice.file === undefined && REPORTER_MAP[choice.name].stream);
  return {
    onFile(ops) {
      if (ops.length === 0) return;
      for (const { name } of streaming) out.write(REPORTER_MAP[name].stream!.file(ops, onStdout));
    },
    end(report) {
      // A reporter's own files (github's step summary) once, however many places its text goes.
      const files: ReportFile[] = [...new Set(choices.map((choice) => choice.name))].flatMap((name) => REPORTER_MAP[name].files?.(report, inFile) ?? []);
      for (const { name, file } of choices) {
        const reporter = REPORTER_MAP[name];
        if (file !== undefined) files.push({ path: file, text: () => stripVTControlCharacters(reporter.format(report, inFile)), what: reporter.what });
        else out.write(reporter.stream ? reporter.stream.end(report, onStdout) : reporter.format(report, onStdout));
      }
      writeReportFiles(files);
    },
  };
}

/** Prints the report and writes its files at once (a run that did not stream). */
export function emitRunReport(report: RunReport, options: OutputOptions, out: Writer = process.stdout, env: NodeJS.ProcessEnv = process.env): void {
  const output = createRunOutput(choicesOf(options), { verbose: options.verbose, out, env });
  output.onFile(report.ops);
  output.end(report);
}
