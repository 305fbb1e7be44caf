// Random malformed op specs written to op files and run through the real CLI: never a crash, always
// exit 2, one error line per op. One CLI run covers many specs, so the suite stays fast.
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { malformedSpec } from './malformed.ts';

describe('malformed op specs through the CLI', () => {
  it('exit 2 with a one-line error for every op, never a crash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradcheck-malformed-'));
    const files = [0, 1].map((f) => {
      const specs = fc.sample(malformedSpec, { numRuns: 12, seed: 42 + f });
      const file = join(dir, `malformed-${f}.mjs`);
      const body = specs.map(({ source }, i) => `export const op${i} = defineOp(${source});`).join('\n');
      writeFileSync(file, `import { defineOp } from 'gradcheck';\n${body}\n`);
      return { file, count: specs.length };
    });
    const { code, stdout, stderr } = await runCli(['run', ...files.map((f) => f.file), '--json']);
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(code).toBe(2);
    const ops: { file: string; status: string; error?: string }[] = JSON.parse(stdout).ops;
    expect(ops).toHaveLength(files.reduce((n, f) => n + f.count, 0));
    for (const op of ops) {
      expect(op.status).toBe('error');
      expect(op.error).toContain(op.file);
      expect(op.error).not.toContain('\n');
    }
  }, 120_000);
});
