// The element-wise check shared with helper threads reports what one thread reports: through the
// real CLI, the same JSON byte for byte (timings aside) for a failing op and a passing one, with
// helpers that really computed some of the differences (the op file notes each op a helper evaluated).
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

const FILE = 'test/fixtures/threads/large.ts';

function check(threads: number, helperLog: string) {
  return runCli(['run', FILE, '--mode', 'element-wise', '--json'], { env: { GRADCHECK_THREADS: String(threads), GRADCHECK_TEST_HELPER_LOG: helperLog } });
}

/** The report with every elapsedMs removed: the one thing that may differ between runs. */
function withoutTimings(stdout: string): string {
  const report = JSON.parse(stdout) as { ops: { elapsedMs?: number }[] };
  for (const op of report.ops) delete op.elapsedMs;
  return JSON.stringify(report, null, 2);
}

describe.skipIf(availableParallelism() < 2)('the element-wise check on several threads', () => {
  it('gives the JSON one thread gives, for a failing op and a passing one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradcheck-threads-'));
    const [alone, shared] = await Promise.all([check(1, join(dir, 'alone.log')), check(2, join(dir, 'shared.log'))]);

    expect(alone.code, alone.stderr).toBe(1);
    expect(shared.code, shared.stderr).toBe(1);
    expect(withoutTimings(shared.stdout)).toBe(withoutTimings(alone.stdout));

    const [failing, passing] = (JSON.parse(alone.stdout) as { ops: { status: string; evaluations: number; diagnoses: { code: string; input?: string }[] }[] }).ops;
    expect(failing.status).toBe('fail');
    expect(failing.diagnoses.map((d) => [d.code, d.input])).toEqual([['scaled', 'b']]);
    expect(passing.status).toBe('pass');
    expect(passing.evaluations).toBeGreaterThan(4096);

    // Helpers evaluated both ops with two threads, and none ran with one.
    expect(existsSync(join(dir, 'alone.log'))).toBe(false);
    expect(readFileSync(join(dir, 'shared.log'), 'utf8').split('\n').filter(Boolean).sort()).toEqual(['failing', 'passing']);
  });
});
