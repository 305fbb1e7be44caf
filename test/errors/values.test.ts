// Numbers an op file or gradcheck.config.ts gives that no check can use, through the real CLI:
// each is one line naming the input or field, its number written as JavaScript writes it, exit 2.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli } from '../helpers/cli.ts';

const FILE = 'test/fixtures/hostile/non-finite.ts';

describe('non-finite numbers in an op file', () => {
  it('given values, a domain, low and high, a tolerance: an error naming each, never a pass', async () => {
    const { code, stdout } = await runCli(['run', FILE, '--json']);
    expect(code).toBe(2);
    expect((JSON.parse(stdout).ops as { error?: string }[]).map((op) => op.error)).toEqual([
      `${FILE}:7: op 'infinite value': input 'x': value Infinity at [1] is not a finite number (given values must be finite)`,
      `${FILE}:8: op '-Infinity in a matrix': input 'x': value -Infinity at [1, 0] is not a finite number (given values must be finite)`,
      `${FILE}:9: op 'NaN value': input 'x': value NaN at [0] is not a finite number (given values must be finite)`,
      `${FILE}:10: op 'NaN in a domain': input 'x': domain must be [lo, hi] with lo below hi (Infinity allowed), got [NaN, 1]`,
      `${FILE}:11: op 'infinite bounds': input 'x': low and high must be finite numbers, got low -Infinity, high Infinity`,
      `${FILE}:12: op 'infinite tolerance': \`tolerance\` must be a positive finite number, got Infinity`,
    ]);
  });
});

describe('non-finite numbers in gradcheck.config.ts', () => {
  it.each([
    ['tolerance: Infinity', 'tolerance must be a positive finite number, got Infinity'],
    ['tolerance: NaN', 'tolerance must be a positive finite number, got NaN'],
    ['eps: [1e-4, Infinity]', 'eps must be a non-empty array of positive finite numbers, got [0.0001, Infinity]'],
    ['seed: 1n', 'seed must be an integer from 0 to 4294967295, got 1n'],
  ])('{ %s }: one line naming the field and the value', async (field, message) => {
    const cwd = mkdtempSync(join(tmpdir(), 'gradcheck-config-'));
    writeFileSync(join(cwd, 'gradcheck.config.ts'), `export default { ${field} };\n`);
    const { code, stdout, stderr } = await runCli(['run', join(REPO, 'examples/tanh.ts')], { cwd });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`gradcheck: gradcheck.config.ts: ${message}\n`);
  });
});
