// Op files that are no regular files, through the real CLI: a FIFO would block the worker's thread
// in open() for good, /dev/zero and /dev/urandom never end. Each is one line naming it, before
// anything reads it, exit code 2, and the rest of the run is checked.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, runCli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'gradcheck-special-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fifo = join(dir, 'x.ts');
execFileSync('mkfifo', [fifo]);
symlinkSync('/dev/zero', join(dir, 'zero.ts'));
symlinkSync('/dev/urandom', join(dir, 'urandom.ts'));
copyFileSync(join(REPO, 'examples/tanh.ts'), join(dir, 'tanh.ts'));

const NOT_REGULAR = 'not a regular file: only regular files are read as op files';

interface JsonOp {
  name: string;
  status: string;
  error?: string;
}

describe('op files that are no regular files', () => {
  it('a FIFO named x.ts: one line, exit 2, and the process ends', async () => {
    const { code, stdout } = await runCli(['run', fifo, 'examples/tanh.ts', '--json']);
    expect(code).toBe(2);
    const ops: JsonOp[] = JSON.parse(stdout).ops;
    expect(ops.map((op) => op.error ?? op.status)).toEqual([`${fifo}: a FIFO (named pipe), ${NOT_REGULAR}`, 'pass']);
  });

  it.each(['zero', 'urandom'])('a .ts symlink to /dev/%s: one line naming the device', async (device) => {
    const { code, stdout } = await runCli(['run', join(dir, `${device}.ts`)]);
    expect(code).toBe(2);
    expect(stdout).toContain(`${join(dir, `${device}.ts`)}: a symlink to /dev/${device}, a character device, ${NOT_REGULAR}\n`);
  });

  it('a folder holding them: each is an error of its own, the regular file is checked', async () => {
    const { code, stdout } = await runCli(['run', dir, '--json']);
    expect(code).toBe(2);
    const ops: JsonOp[] = JSON.parse(stdout).ops;
    expect(ops.map((op) => op.error ?? `${op.name}: ${op.status}`)).toEqual([
      'tanh: pass',
      `${join(dir, 'urandom.ts')}: a symlink to /dev/urandom, a character device, ${NOT_REGULAR}`,
      `${fifo}: a FIFO (named pipe), ${NOT_REGULAR}`,
      `${join(dir, 'zero.ts')}: a symlink to /dev/zero, a character device, ${NOT_REGULAR}`,
    ]);
  });

  it('gradcheck.config.ts as a FIFO: one line naming it, exit 2', async () => {
    const cwd = join(dir, 'project');
    mkdirSync(cwd);
    execFileSync('mkfifo', [join(cwd, 'gradcheck.config.ts')]);
    const { code, stdout, stderr } = await runCli(['run', join(REPO, 'examples/tanh.ts')], { cwd });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`gradcheck: gradcheck.config.ts: a FIFO (named pipe), ${NOT_REGULAR}\n`);
  });

  it('/dev/stdin on a pipe, or on /dev/null: named, never read', async () => {
    const { code, stdout } = await runCli(['run', '/dev/stdin', '--json']);
    expect(code).toBe(2);
    // runCli's child has stdin on execFile's pipe (a socket pair on Linux), or /dev/null.
    expect(JSON.parse(stdout).ops[0].error).toMatch(new RegExp(`^/dev/stdin: a symlink to (a pipe|a socket|/dev/null, a character device), ${NOT_REGULAR}$`));
  });
});
