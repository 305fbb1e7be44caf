// Hostile input beyond the round-3 issue's list, found by sweeping for more, through the real CLI:
// each case ends with the data intact, the output uncorrupted, no hang and no false verdict.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, runCli } from '../helpers/cli.ts';
import { running } from '../helpers/processes.ts';

const HOSTILE = 'test/fixtures/hostile';
const dir = mkdtempSync(join(tmpdir(), 'gradcheck-sweep-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface JsonOp {
  name: string;
  status: string;
  error?: string;
}

describe('more hostile input', () => {
  it('values with a hole, or a string for values: an error naming the input and the place', async () => {
    const file = `${HOSTILE}/odd-values.ts`;
    const { code, stdout } = await runCli(['run', file, '--json']);
    expect(code).toBe(2);
    expect((JSON.parse(stdout).ops as JsonOp[]).map((op) => op.error)).toEqual([
      `${file}:6: op 'a hole in values': input 'x': values must be numbers, got undefined at values[1]`,
      `${file}:7: op 'a string as values': input 'x': values must be a number or an array of numbers, got '123'`,
    ]);
  });

  it('a 5 MB message: cut on the terminal (and wrapped to its width), whole in the JSON', async () => {
    const file = `${HOSTILE}/huge-message.ts`;
    const table = await runCli(['run', file]);
    expect(table.code).toBe(2);
    // One line of op text, which the table wraps to its width: the continuations are indented under it.
    const lines = table.stdout.split('\n');
    const first = lines.findIndex((text) => text.includes("op 'throws 5 MB'"));
    let end = first + 1;
    while (end < lines.length && lines[end].startsWith('    ')) end++;
    expect(end - first).toBeGreaterThan(1);
    const line = [lines[first], ...lines.slice(first + 1, end).map((text) => text.trim())].join(' ');
    expect(line).toMatch(/^ {2}test\/fixtures\/hostile\/huge-message\.ts:4: op 'throws 5 MB': forward threw: x+… \(4,99\d,\d{3} more characters\)$/);
    const json = await runCli(['run', file, '--json']);
    expect((JSON.parse(json.stdout).ops as JsonOp[])[0].error).toContain(`${'x'.repeat(5_000_000)}\nsecond line`);
  });

  it('a file name with a line break and an escape sequence is shown escaped', async () => {
    const file = join(dir, 'a\nb\x1b[2J.ts');
    copyFileSync(join(REPO, 'examples/tanh.ts'), file);
    const { code, stdout } = await runCli(['run', file]);
    expect(code).toBe(0);
    expect(stdout).toContain(` PASS  tanh  ${dir}/a\\nb\\x1b[2J.ts:10  `);
    expect(stdout).not.toContain('\x1b');
  });

  it('--junit or --html naming an op file of the run: a usage error, and the op file is left as it was', async () => {
    const file = join(dir, 'op.ts');
    copyFileSync(join(REPO, 'examples/tanh.ts'), file);
    const before = readFileSync(file, 'utf8');
    for (const flag of ['--junit', '--html']) {
      const { code, stdout, stderr } = await runCli(['run', dir, flag, join(dir, '..', dir.split('/').pop()!, 'op.ts')]);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr.split('\n')[0]).toMatch(new RegExp(`^gradcheck: ${flag} \\S+op\\.ts is an op file of this run: the report would overwrite it$`));
    }
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it.runIf(existsSync('/proc/thread-self'))('a detached process started by gradcheck.config.ts is stopped and named', async () => {
    const cwd = mkdtempSync(join(dir, 'config-'));
    writeFileSync(join(cwd, 'gradcheck.config.ts'), "import { spawn } from 'node:child_process';\nspawn('sleep', ['1000'], { detached: true, stdio: 'ignore' }).unref();\nexport default { tolerance: 1e-6 };\n");
    const { code, stderr } = await runCli(['run', join(REPO, 'examples/tanh.ts')], { cwd });
    expect(code).toBe(0);
    expect(stderr).toMatch(/^gradcheck: warning: gradcheck\.config\.ts left 1 process running: 'sleep 1000' \(pid (\d+)\); stopped it\n$/);
    expect(running(Number(/pid (\d+)/.exec(stderr)![1]))).toBe(false);
  });
});
