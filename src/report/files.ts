// The report files gradcheck writes beside what it prints (--junit, --html, --output-file,
// $GITHUB_STEP_SUMMARY), their folders created: a file that cannot be written is named in the
// error, with what it was for. Node's own message
// names the path for a failed open but not for a failed write (`EIO: i/o error, write` for
// `--junit /proc/version`), and an error without the path leaves the reader guessing which flag.
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Report files that could not be written, each one line naming its file; what was printed and the other files stand. */
export class ReportFileError extends Error {
  constructor(readonly failures: string[]) {
    super(failures.join('; '));
    this.name = 'ReportFileError';
  }
}

/** Writes (or appends to) a report file; a failure is one line naming `what` and `path`. */
export function writeReportFile(path: string, text: string, what: string, { append = false } = {}): string | undefined {
  try {
    if (append) {
      // A file appended to (the step summary) is the job's: its folder is not ours to make.
      appendFileSync(path, text);
    } else {
      // `--junit reports/junit.xml` in a fresh checkout: the folder is the report's to make.
      makeFolders(dirname(path));
      writeFileSync(path, text);
    }
    return undefined;
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    // Node words a failed open as "EACCES: permission denied, open '<path>'": the path is said once, by us.
    const why = (message ?? String(error)).replace(/, (open|write|close|mkdir) '.*'$/, ', $1');
    return `cannot write ${what} to ${path}: ${code && !why.startsWith(code) ? `${code}: ` : ''}${why}`;
  }
}

/**
 * The folders up to `dir` that do not exist yet, made one by one from the outermost. Not Node's
 * `mkdirSync(dir, { recursive: true })`, which never returns for a path under /proc (measured on
 * Node 20: `--junit /proc/x/junit.xml` would hang the run); one level at a time fails at once.
 */
export function makeFolders(dir: string): void {
  const missing: string[] = [];
  for (let at = dir; !existsSync(at) && dirname(at) !== at; at = dirname(at)) missing.unshift(at);
  for (const folder of missing) mkdirSync(folder);
}

/** A file to write: its path, its text (computed only when written), what it is for, and whether to append. */
export interface ReportFile {
  path: string;
  text: () => string;
  what: string;
  append?: boolean;
}

/** Writes every file of `files` it can, then throws one ReportFileError for those it could not. */
export function writeReportFiles(files: ReportFile[]): void {
  const failures = files.flatMap(({ path, text, what, append }) => writeReportFile(path, text(), what, { append }) ?? []);
  if (failures.length > 0) throw new ReportFileError(failures);
}
