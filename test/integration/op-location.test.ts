// Where an op is reported: at the line of the op file the user passed that makes it, also when a
// helper (in another file or in the op file) calls defineOp; and in the order of those lines.
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli } from '../helpers/cli.ts';
import { checkFile } from '../helpers/in-process.ts';

const OPS = 'test/fixtures/located/ops.ts';
const SOURCE = readFileSync(join(REPO, OPS), 'utf8').split('\n');
/** The line of the op file that exports `name`. */
const lineOf = (name: string) => SOURCE.findIndex((text) => text.startsWith(`export const ${name} =`)) + 1;

const EXPECTED = [
  { name: 'wrong, from the helper file', status: 'fail', line: lineOf('zebra') },
  { name: 'right, from the helper file', status: 'pass', line: lineOf('apple') },
  { name: 'right, defined here', status: 'pass', line: lineOf('mango') },
  { name: 'wrong, through a helper in this file', status: 'fail', line: lineOf('kiwi') },
];

describe('where an op is reported', { concurrent: true }, () => {
  it('--json: each op at its line in the op file, in the order of the file', async () => {
    const { code, stdout } = await runCli(['run', OPS, '--json']);
    expect(code).toBe(1);
    const ops = JSON.parse(stdout).ops.map(({ name, status, line }: { name: string; status: string; line: number }) => ({ name, status, line }));
    expect(ops).toEqual(EXPECTED);
    expect(new Set(ops.map((op: { line: number }) => op.line)).size).toBe(4);
  });

  it('--reporter github: the annotations name the op file and the lines that call the helpers', async () => {
    const { code, stdout } = await runCli(['run', OPS, '--reporter', 'github']);
    expect(code).toBe(1);
    const annotations = stdout.split('\n').filter((line) => line.startsWith('::error'));
    expect(annotations.map((line) => /^::error file=([^,]*),line=(\d+),/.exec(line)?.slice(1))).toEqual([
      [OPS, String(lineOf('zebra'))],
      [OPS, String(lineOf('kiwi'))],
    ]);
    expect(stdout).not.toContain('helpers.ts');
    expect(stdout).toMatch(new RegExp(`PASS\\s+right, from the helper file\\s+\\S*ops\\.ts:${lineOf('apple')}\\b`));
  });

  it('the same lines from a copy outside any "type": "module" package, which tsx compiles to CommonJS', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradcheck-located-'));
    for (const name of ['ops.ts', 'helpers.ts']) copyFileSync(join(REPO, 'test/fixtures/located', name), join(dir, name));
    const { stdout } = await runCli(['run', 'ops.ts', '--json'], { cwd: dir });
    const ops = JSON.parse(stdout).ops.map(({ name, status, line }: { name: string; status: string; line: number }) => ({ name, status, line }));
    expect(ops).toEqual(EXPECTED);
  });

  it('checkFile, the library: the same lines', async () => {
    const ops = await checkFile(OPS);
    expect(ops.map(({ name, status, line }) => ({ name, status, line }))).toEqual(EXPECTED);
  });
});
