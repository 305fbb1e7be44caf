// Report files that cannot be written, through the real CLI: each failure is one line naming the
// file and what it was for (Node's own message names no path for a failed write), the report on
// stdout stands, every other file is still written, and the exit code is 2.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

const scratch = () => mkdtempSync(join(tmpdir(), 'gradcheck-files-'));

describe('report files that cannot be written', () => {
  it('--junit /proc/version names the path; the JSON on stdout and the --html file are still there', async () => {
    const html = join(scratch(), 'report.html');
    const { code, stdout, stderr } = await runCli(['run', 'examples/tanh.ts', '--json', '--junit', '/proc/version', '--html', html]);
    expect(code).toBe(2);
    expect(JSON.parse(stdout).ops[0].status).toBe('pass');
    // EIO as root (the file opens, the write fails), EACCES otherwise.
    expect(stderr).toMatch(/^gradcheck: cannot write the JUnit report to \/proc\/version: E[A-Z]+: [^\n]*\n$/);
    expect(readFileSync(html, 'utf8')).toContain('<html');
  });

  it('a missing folder, a full device, an unwritable step summary: one line each', async () => {
    const junit = join(scratch(), 'junit.xml');
    const { code, stderr } = await runCli(['run', 'examples/tanh.ts', '--reporter', 'github', '--html', '/dev/full', '--junit', junit], {
      env: { GITHUB_STEP_SUMMARY: '/nonexistent/summary.md' },
    });
    expect(code).toBe(2);
    expect(stderr.split('\n')).toEqual([
      'gradcheck: cannot write the step summary ($GITHUB_STEP_SUMMARY) to /nonexistent/summary.md: ENOENT: no such file or directory, open',
      'gradcheck: cannot write the HTML report to /dev/full: ENOSPC: no space left on device, write',
      '',
    ]);
    expect(existsSync(junit)).toBe(true);
  });

  it('sweep --html and init name their files too', async () => {
    const sweep = await runCli(['sweep', 'examples/tanh.ts', '--html', '/dev/full']);
    expect(sweep.code).toBe(2);
    expect(sweep.stderr).toBe('gradcheck: cannot write the HTML report to /dev/full: ENOSPC: no space left on device, write\n');
    // A folder that cannot be made (/proc takes none, even from root): init makes the folders it can.
    const init = await runCli(['init', '/proc/gradcheck-missing/op.ts']);
    expect(init.code).toBe(2);
    expect(init.stderr).toBe('gradcheck: cannot write /proc/gradcheck-missing/op.ts: ENOENT: no such file or directory, mkdir\n');
  });
});
