// SIGTERM (a CI cancellation, `timeout`) and SIGHUP (a closed terminal) end a run as Ctrl-C does:
// the worker stops at once, every report is written with what finished and what did not (valid
// JSON, valid JUnit), and the exit code is the signal's: 143, 129.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { REPO, interruptWhen } from '../helpers/cli.ts';

const SPINS = 'test/fixtures/hostile/interrupted.ts';
const scratch = () => mkdtempSync(join(tmpdir(), 'gradcheck-signals-'));

interface JsonOp {
  name: string;
  status: string;
  error?: string;
}

const EXPECTED = ['one: pass', 'two: pass', 'three spins: error', 'four: error', 'five: error', 'six: error', '(file): error'];

describe.each([
  ['SIGTERM', 143],
  ['SIGHUP', 129],
] as const)('%s', (signal, code) => {
  it('--json --junit: both reports, with what finished and what did not, and its exit code', async () => {
    const junit = join(scratch(), 'junit.xml');
    const run = await interruptWhen(['run', SPINS, 'examples/tanh.ts', '--timeout', '0', '--json', '--junit', junit], 'spinning', signal);
    expect(run.code).toBe(code);
    const ops: JsonOp[] = JSON.parse(run.stdout).ops;
    expect(ops.map((op) => `${op.name}: ${op.status}`)).toEqual(EXPECTED);
    expect(ops[2].error).toContain("op 'three spins' was interrupted");
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(junit, 'utf8'));
    const cases = [parsed.testsuites.testsuite].flat().flatMap((suite: { testcase: unknown }) => [suite.testcase].flat()) as { name: string; error?: unknown }[];
    expect(cases.map((test) => `${test.name}: ${test.error === undefined ? 'pass' : 'error'}`)).toEqual(EXPECTED);
    expect(run.stderr).toContain(`gradcheck: interrupted by ${signal}; 3 ops and 1 file not run (listed as errors)`);
  });

  it('the table reporter prints the run so far', async () => {
    const run = await interruptWhen(['run', SPINS, 'examples/tanh.ts', '--timeout', '0'], 'spinning', signal);
    expect(run.code).toBe(code);
    expect(run.stdout).toContain(' PASS  one ');
    expect(run.stdout).toContain("op 'three spins' was interrupted");
    expect(run.stdout).toContain('7 ops in 2 files: 2 passed, 0 failed, 5 errors');
  });
});

describe('SIGTERM elsewhere', () => {
  it('sweep and list report what they reached, and exit 143', async () => {
    const sweep = await interruptWhen(['sweep', SPINS, '--timeout', '0', '--json', '--eps', '1e-4,1e-5'], 'spinning', 'SIGTERM');
    expect(sweep.code).toBe(143);
    expect((JSON.parse(sweep.stdout).ops as JsonOp[]).map((op) => op.status)).toEqual(['pass', 'pass', 'error', 'error', 'error', 'error']);
    const list = await interruptWhen(['list', 'test/fixtures/hostile/configs/spins/gradcheck.config.ts', 'examples/tanh.ts', '--timeout', '0', '--json'], 'config spinning', 'SIGTERM');
    expect(list.code).toBe(143);
    expect(JSON.parse(list.stdout).files.map((file: { error?: string }) => file.error)).toEqual([
      'test/fixtures/hostile/configs/spins/gradcheck.config.ts: importing the file was interrupted',
      'examples/tanh.ts: not run: the run was interrupted before the file was imported',
    ]);
  });

  it('while gradcheck.config.ts loads: one line naming it, and exit 143', async () => {
    const cwd = join(REPO, 'test/fixtures/hostile/configs/spins');
    const run = await interruptWhen(['run', '../../wrong-gradient.ts', '--timeout', '0', '--json'], 'config spinning', 'SIGTERM', { cwd });
    expect(run.code).toBe(143);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n').at(-1)).toBe('gradcheck: gradcheck.config.ts: importing the file was interrupted (SIGTERM)');
  });
});
