// Processes an op file starts and leaves behind, through the real CLI (Linux: gradcheck finds them
// in /proc). They are stopped when the file ends, or when --timeout stops the op waiting on them,
// and named in a warning; stdout stays the report's, and nothing waits on them: runCli returns when
// gradcheck's stdout closes, which a process holding it would delay by 1000 s.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { running } from '../helpers/processes.ts';

const LEAVES = 'test/fixtures/hostile/leaves-processes.ts';
const BLOCKS = 'test/fixtures/hostile/blocks-on-a-process.ts';
const linux = existsSync('/proc/thread-self');

const pidsIn = (warning: string) => [...warning.matchAll(/\(pid (\d+)\)/g)].map((match) => Number(match[1]));

describe.runIf(linux)('processes an op file leaves behind', () => {
  it('are stopped when the file ends and named in a warning; --json stays one document', async () => {
    const { code, stdout, stderr } = await runCli(['run', LEAVES, 'examples/tanh.ts', '--json']);
    expect(code).toBe(0);
    expect((JSON.parse(stdout).ops as { status: string }[]).map((op) => op.status)).toEqual(['pass', 'pass']);
    const warning = stderr.split('\n').find((line) => line.startsWith('gradcheck: warning:')) ?? '';
    expect(warning).toMatch(
      new RegExp(`^gradcheck: warning: ${LEAVES} left 2 processes running: 'sleep 1000' \\(pid \\d+\\), 'sh -c trap '' TERM; sleep 1000' \\(pid \\d+\\); stopped them$`),
    );
    // The echo went to stderr, where op files' output goes, not into the JSON.
    expect(stderr).toContain('echoed by a child\n');
    for (const pid of pidsIn(warning)) expect(running(pid), `pid ${pid}`).toBe(false);
  });

  it('--timeout stops an op waiting on one, and the process too; the file\'s next op and the next file run', async () => {
    const { code, stdout, stderr } = await runCli(['run', BLOCKS, 'examples/tanh.ts', '--timeout', '2000', '--json']);
    expect(code).toBe(2);
    const ops: { name: string; status: string; error?: string }[] = JSON.parse(stdout).ops;
    expect(ops.map((op) => op.error ?? `${op.name}: ${op.status}`)).toEqual([
      `${BLOCKS}:6: op 'waits on sleep 1000' did not finish within 2000 ms (--timeout)`,
      'after it: pass',
      'tanh: pass',
    ]);
    const warning = stderr.split('\n').find((line) => line.startsWith('gradcheck: warning:')) ?? '';
    expect(warning).toMatch(new RegExp(`^gradcheck: warning: ${BLOCKS} › waits on sleep 1000 left 1 process running: '/bin/sh -c sleep 1000' \\(pid \\d+\\); stopped it$`));
    for (const pid of pidsIn(warning)) expect(running(pid)).toBe(false);
  });
});
