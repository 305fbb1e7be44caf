// gradcheck run --watch: a save re-runs the op file with its new contents, until the process is stopped.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.ts';

const opFile = (name: string, scale: string) => `import { defineOp } from 'gradcheck';
import { scale } from './helper.ts';
export const op = defineOp({ name: '${name}', inputs: { x: [3] }, forward: ({ x }) => x.tanh().mul(scale * ${scale}).sum() });
`;

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

function startWatch(file: string) {
  const child = spawn(process.execPath, [BIN, 'run', '--watch', file], { env: { ...process.env, NO_COLOR: '1' } });
  cleanups.push(() => child.kill());
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  /** Resolves with everything printed so far once `pattern` has been printed `count` times. */
  const printed = (pattern: RegExp, count = 1) =>
    new Promise<string>((resolve, reject) => {
      const poll = setInterval(() => {
        if ((output.match(new RegExp(pattern, 'g')) ?? []).length >= count) {
          clearInterval(poll);
          resolve(output);
        } else if (child.exitCode !== null) {
          clearInterval(poll);
          reject(new Error(`gradcheck exited (${child.exitCode}) while watching:\n${output}`));
        }
      }, 50);
    });
  return { child, printed };
}

describe('gradcheck run --watch', () => {
  it('re-runs the op file when it is saved, and when a file it imports is saved', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradcheck-watch-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'op.ts');
    writeFileSync(join(dir, 'helper.ts'), 'export const scale = 1;\n');
    writeFileSync(file, opFile('before', '1'));

    const { child, printed } = startWatch(file);
    await printed(/1 op in 1 file: 1 passed/);
    expect(child.exitCode).toBeNull(); // still watching after the first report

    writeFileSync(file, opFile('after', '2'));
    const second = await printed(/1 op in 1 file/, 2);
    expect(second).toMatch(/op\.ts changed; checking .*op\.ts/);
    expect(second).toMatch(/PASS\s+after/);

    writeFileSync(join(dir, 'helper.ts'), 'export const scale = NaN;\n');
    const third = await printed(/1 op in 1 file/, 3);
    expect(third).toMatch(/helper\.ts changed/);
    expect(third.slice(second.length)).toMatch(/ERROR\s+after/); // the new helper's NaN was imported
  }, 60_000);
});
