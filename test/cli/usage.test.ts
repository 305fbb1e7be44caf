// Usage errors of every command, and the numbers and names flags accept, through the real CLI.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SEED, DEFAULT_TOLERANCE } from '../../src/model/defaults.ts';
import { DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_MS } from '../../src/run/scheduler.ts';
import { runCli } from '../helpers/cli.ts';

const TANH = 'examples/tanh.ts';
const HINT = '(run gradcheck --help for usage)';
const invalid = (flag: string, value: string, reason: string) => `gradcheck: option '${flag}' argument '${value}' is invalid. ${reason}`;

describe('usage errors', () => {
  it.concurrent.each([
    // --order takes 1 or 2 and nothing else.
    [['run', TANH, '--order', '3'], invalid('--order <n>', '3', 'Allowed choices are 1, 2.')],
    [['run', TANH, '--order', '0'], invalid('--order <n>', '0', 'Allowed choices are 1, 2.')],
    [['run', TANH, '--order', 'abc'], invalid('--order <n>', 'abc', 'Allowed choices are 1, 2.')],
    // Numbers in decimal or scientific notation only.
    [['run', TANH, '--tol', '0x10'], invalid('--tol <number>', '0x10', "expected a positive number, got '0x10'")],
    [['sweep', TANH, '--eps', '1e-4,0x10'], invalid('--eps <list>', '1e-4,0x10', "expected a positive number, got '0x10'")],
    [['run', TANH, '--seed', '0b1'], invalid('--seed <n>', '0b1', "expected an integer from 0 to 4294967295, got '0b1'")],
    [['list', TANH, '--timeout', '0x10'], invalid('--timeout <ms>', '0x10', "expected a whole number of milliseconds (0 for no limit), got '0x10'")],
    [['sweep', TANH, '--max-memory', '0x100'], invalid('--max-memory <mb>', '0x100', "expected a whole number of megabytes, at least 16, got '0x100'")],
    // A file to write needs a name.
    [['run', TANH, '--junit', ''], invalid('--junit <file>', '', "expected a file name, got ''")],
    [['run', TANH, '--html', ''], invalid('--html <file>', '', "expected a file name, got ''")],
    // Every command, the same way.
    [['sweep', TANH, '--tol', 'abc'], invalid('--tol <number>', 'abc', "expected a positive number, got 'abc'")],
    [['list', 'no/such/file.ts'], 'gradcheck: no such file or directory: no/such/file.ts'],
    [['init', 'package.json'], 'gradcheck: package.json already exists; not overwriting it (name another file: gradcheck init other-op.ts)'],
    [['bogus'], "gradcheck: unknown command 'bogus'"],
  ])('%j exits 2 with one line and the usage hint', async (args, message) => {
    const { code, stdout, stderr } = await runCli(args);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([message, HINT]);
    expect(code).toBe(2);
  });
});

describe('no op found', () => {
  // The command line was well formed: one line, no usage hint, exit 2 (a CI job whose --op names nothing fails).
  it.concurrent.each([
    [['list', TANH, '--op', 'nope'], `gradcheck: no op named 'nope' in ${TANH} (ops: tanh)`],
    [['run', TANH, '--watch', '--op', 'nope'], "gradcheck: no op named 'nope' (ops: tanh)"],
    [['run', TANH, '--op', 'nope*', '-t', '/^x/'], "gradcheck: no op matches 'nope*' or '/^x/' (ops: tanh)"],
  ])('%j exits 2 with one line', async (args, message) => {
    const { code, stdout, stderr } = await runCli(args);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([message]);
    expect(code).toBe(2);
  });
});

describe('flag values', () => {
  it('takes decimal and scientific numbers, and --order 2', async () => {
    const { code, stdout } = await runCli(['run', TANH, '--json', '--tol', '1E-3', '--seed', '1e1', '--eps', '1e-3, .0001', '--timeout', '1.5e4', '--max-memory', '256', '--order', '2']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ tolerance: 1e-3, seed: 10 });
    expect(report.ops[0].order).toBe(2);
    expect(report.ops[0].inputs[0].sweep.map((point: { eps: number }) => point.eps)).toEqual([1e-3, 1e-4]);
  });

  it.concurrent.each([
    ['run', ['--tol', '--eps', '--seed', '--method', '--order', '--mode', '--ad', '--explore', '--nondet-tol', '--no-replay-random', '--json', '--verbose', '--watch', '--op', '--exclude', '--changed', '--shard', '--bail', '--pass-with-no-ops', '--reporter', '--output-file', '--junit', '--html', '--timeout', '--max-memory']],
    ['sweep', ['--op', '--tol', '--eps', '--seed', '--no-replay-random', '--json', '--html', '--verbose', '--exclude', '--pass-with-no-ops', '--timeout', '--max-memory']],
    ['list', ['--op', '--json', '--exclude', '--pass-with-no-ops', '--timeout']],
  ])('%s --help describes each of its flags, with the defaults the library applies', async (command, flags) => {
    const { code, stdout } = await runCli([command, '--help']);
    expect(code).toBe(0);
    const described = [...stdout.matchAll(/^ {2}(?:-\w, )?(--[a-z-]+)/gm)].map((match) => match[1]);
    expect(described).toEqual([...flags, '--help']);
    const help = stdout.replace(/\s+/g, ' ');
    const defaults: Record<string, string> = {
      '--tol': `(default: ${DEFAULT_TOLERANCE.toExponential()})`,
      '--seed': `(default: ${DEFAULT_SEED})`,
      '--timeout': `(default: ${DEFAULT_TIMEOUT_MS})`,
      '--max-memory': `(default: ${DEFAULT_MEMORY_MB})`,
    };
    for (const flag of flags) if (defaults[flag]) expect(help).toMatch(new RegExp(`${flag} <\\w+> [^(]*${defaults[flag].replace(/[()]/g, '\\$&')}`));
  });
});
