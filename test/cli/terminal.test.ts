// Colours follow the terminal, and progress goes to stderr only on a terminal.
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { BIN, REPO, gradcheck } from '../report/cli.ts';
import { createProgress } from '../../src/report/progress.ts';

const COLOUR = /\x1b\[[0-9;]*m/;
/**
 * A colour code that sets a colour directly in front of a table border would mean cli-table3 painted
 * its borders; one that resets a colour there only ends a cell's (a table narrowed to the terminal
 * drops the padding that would stand between them).
 */
const PAINTED_BORDER = /\x1b\[(?!(?:0|22|39|49)m)[0-9;]*m[─│┌┐└┘├┤┬┴┼]/;

/** Runs the CLI on a pseudo-terminal (util-linux `script`), the way a person at a terminal does. */
function onTerminal(args: string[], env: Record<string, string | undefined>): Promise<string> {
  // A person's terminal: a real TERM, and none of the CI variables that make colour libraries hold back.
  const base: Record<string, string | undefined> = { ...process.env, TERM: 'xterm-256color' };
  for (const name of ['FORCE_COLOR', 'NO_COLOR', 'CI', 'CONTINUOUS_INTEGRATION', 'GITHUB_ACTIONS', 'BUILD_NUMBER', 'RUN_ID']) delete base[name];
  const command = [process.execPath, BIN, ...args].map((part) => `'${part}'`).join(' ');
  return new Promise((resolve, reject) => {
    execFile('script', ['-qfec', command, '/dev/null'], { cwd: REPO, env: { ...base, ...env }, timeout: 120_000 }, (error, stdout) =>
      error && typeof error.code !== 'number' ? reject(error) : resolve(stdout),
    );
  });
}

const hasScript = existsSync('/usr/bin/script');

describe('colours', { concurrent: true, timeout: 60_000 }, () => {
  it('none when stdout is not a terminal; FORCE_COLOR forces them, with unpainted table borders', async () => {
    const piped = await gradcheck(['run', 'examples/tanh.ts']);
    expect(piped.stdout).toContain('PASS');
    expect(piped.stdout).not.toMatch(COLOUR);
    expect(piped.stderr).toBe('');
    const forced = await gradcheck(['run', 'examples/tanh.ts'], { env: { FORCE_COLOR: '1' } });
    expect(forced.stdout).toMatch(COLOUR);
    expect(forced.stdout).toMatch(/│ x +│ \[64\]/);
    expect(forced.stdout).not.toMatch(PAINTED_BORDER);
  });

  it.skipIf(!hasScript)('on a terminal: colours, unless NO_COLOR is set', async () => {
    const coloured = await onTerminal(['run', 'examples/tanh.ts'], {});
    expect(coloured).toMatch(COLOUR);
    expect(coloured).not.toMatch(PAINTED_BORDER);
    const plain = await onTerminal(['run', 'examples/tanh.ts'], { NO_COLOR: '1' });
    expect(plain).toContain('PASS');
    expect(plain).not.toMatch(COLOUR);
  });
});

describe('progress', () => {
  const fakeTerminal = (isTTY: boolean) => {
    const written: string[] = [];
    return { written, stream: { isTTY, write: (text: string) => written.push(text) } };
  };

  it('says nothing for the first second, then the op and its elements done, and clears itself', () => {
    let time = 0;
    const { written, stream } = fakeTerminal(true);
    const progress = createProgress(stream, { now: () => time });
    progress.onProgress({ op: 'mlp', done: 0, total: 200 });
    expect(written).toEqual([]);
    time = 1500;
    progress.onProgress({ op: 'mlp', done: 64, total: 200 });
    expect(written.at(-1)).toBe('\r\x1b[2Kmlp: 64 of 200 elements');
    progress.done();
    expect(written.at(-1)).toBe('\r\x1b[2K');
  });

  it('is silent when stderr is not a terminal', () => {
    let time = 0;
    const { written, stream } = fakeTerminal(false);
    const progress = createProgress(stream, { now: () => time });
    time = 5000;
    progress.onProgress({ op: 'mlp', done: 64, total: 200 });
    progress.done();
    expect(written).toEqual([]);
  });
});
