// --method, --order and --mode through the real CLI: they reach the check and the report says what
// ran; a method that does not exist is a usage error. What each does is tested in process
// (test/check/modes.test.ts).
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

describe('gradcheck run --method, --order, --mode', { concurrent: true, timeout: 60_000 }, () => {
  it('accepts them and reports what ran', async () => {
    const { code, stdout } = await runCli(['run', 'examples/sigmoid.ts', '--method', 'richardson', '--order', '2', '--mode', 'fast', '--json']);
    expect(code).toBe(0);
    const ops = JSON.parse(stdout).ops as { status: string; mode: string; order?: number; method?: string }[];
    expect(ops.length).toBeGreaterThan(0);
    for (const op of ops) expect(op).toMatchObject({ status: 'pass', mode: 'fast', order: 2, method: 'richardson' });
  });

  it('refuses a method that does not exist', async () => {
    const bad = await runCli(['run', 'examples/sigmoid.ts', '--method', 'simpson']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--method/);
  });
});
