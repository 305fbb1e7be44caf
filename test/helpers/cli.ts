// Runs the real CLI (bin/gradcheck.js) the way a user does, and captures what it prints.
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/gradcheck.js', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}
export type CliResult = CliRun;

/**
 * Output is laid out to this many columns unless a test says otherwise: tests of what a report says
 * read each message on its one line; those of the layout (test/cli/ci-gate.test.ts) set COLUMNS, or
 * unset it for the 80 a pipe gets.
 */
export const WIDE = '1000';

/** Colour and CI settings of the test runner's own environment are dropped, so each test says what it wants. */
export function gradcheck(args: string[], { cwd = REPO, env = {} }: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<CliRun> {
  const base: Record<string, string | undefined> = { ...process.env, COLUMNS: WIDE };
  delete base.FORCE_COLOR;
  delete base.NO_COLOR;
  delete base.GITHUB_STEP_SUMMARY;
  delete base.GITHUB_ACTIONS;
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env: { ...base, ...env }, timeout: 120_000, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** The CLI without colour, as in a pipe or a CI log. */
export function runCli(args: string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<CliRun> {
  return gradcheck(args, { cwd: options.cwd, env: { NO_COLOR: '1', ...options.env } });
}

/** The CLI (no colour) sent SIGINT, as Ctrl-C would (or another signal), once its stderr shows `marker`. */
export function interruptWhen(args: string[], marker: string, signal: NodeJS.Signals = 'SIGINT', { cwd = REPO }: { cwd?: string } = {}): Promise<CliRun> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, COLUMNS: WIDE, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  let interrupted = false;
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
    if (stderr.includes(marker) && !interrupted) interrupted = child.kill(signal);
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr })));
}
