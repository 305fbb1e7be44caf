// Op files and configs that misbehave, through the real CLI: whatever they do, every other file is
// still checked and reported, stdout stays the report alone, a wrong gradient still fails, and what
// went wrong is one line naming the file.
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { REPO, interruptWhen, runCli } from '../helpers/cli.ts';

const HOSTILE = 'test/fixtures/hostile';
const WRONG = `${HOSTILE}/wrong-gradient.ts`;

interface JsonOp {
  file: string;
  name: string;
  status: string;
  line?: number;
  error?: string;
}

const scratch = () => mkdtempSync(join(tmpdir(), 'gradcheck-hostile-'));
const statuses = (stdout: string) => (JSON.parse(stdout).ops as JsonOp[]).map((op) => `${op.file} › ${op.name}: ${op.status}`);
const noStackTrace = (text: string) => expect(text).not.toMatch(/^\s+at /m);

/** The JUnit file parsed (it must parse), as its test cases. */
function junitCases(file: string): { name: string; classname: string; error?: unknown; failure?: unknown }[] {
  const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(file, 'utf8'));
  const suites = [parsed.testsuites.testsuite].flat();
  return suites.flatMap((suite: { testcase: unknown }) => [suite.testcase].flat()) as { name: string; classname: string }[];
}

describe('gradcheck.config.ts runs isolated, like an op file', () => {
  const configRun = (name: string) => {
    const junit = join(scratch(), 'junit.xml');
    const cwd = join(REPO, HOSTILE, 'configs', name);
    return { junit, run: runCli(['run', '../../wrong-gradient.ts', '--json', '--junit', junit, '--timeout', '3000'], { cwd }) };
  };

  it.each([
    ['exits', "gradcheck.config.ts:2: importing the file threw process.exit(0) is not allowed: it would end gradcheck's run"],
    ['hangs', 'gradcheck.config.ts: importing the file did not finish within 3000 ms (--timeout)'],
    ['rejects', 'gradcheck.config.ts:2: importing the file left a promise rejection unhandled: the settings server is down'],
    ['throwing-getter', 'gradcheck.config.ts: reading its default export threw no tolerance today'],
  ])('a config that %s is one line naming it, and exit code 2, not a silent pass', async (name, message) => {
    const { run } = configRun(name);
    const { code, stdout, stderr } = await run;
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([expect.stringContaining(`gradcheck: ${message}`)]);
  });

  it('output of a config goes to stderr, labelled: --json stays one document, the wrong gradient fails', async () => {
    const { run, junit } = configRun('logs');
    const { code, stdout, stderr } = await run;
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ tolerance: 1e-6, ops: [{ name: 'wrong gradient', status: 'fail' }] });
    expect(stderr).toContain('gradcheck.config.ts | loading the gradcheck config');
    expect(junitCases(junit).map((test) => test.name)).toEqual(['wrong gradient']);
  });

  it("a config's changes to globals do not reach the op files", async () => {
    const { run } = configRun('changes-globals');
    const { code, stdout, stderr } = await run;
    expect(code).toBe(1);
    expect(statuses(stdout)).toEqual([`${join(REPO, WRONG)} › wrong gradient: fail`]);
    expect(stderr).toContain('gradcheck: warning: gradcheck.config.ts changed Math.abs');
  });
});

describe("op files' output", () => {
  it.each([
    ['run', ['--json']],
    ['sweep', ['--json']],
    ['list', ['--json']],
    ['run', ['--reporter', 'junit']],
  ])('%s %j: stdout is the report alone; the output is on stderr, labelled with the file and op', async (command, flags) => {
    const { code, stdout, stderr } = await runCli([command, `${HOSTILE}/prints.ts`, 'examples/tanh.ts', ...flags]);
    expect(code).toBe(0);
    if (flags.includes('junit')) expect(junitCasesOf(stdout)).toEqual(['prints', 'tanh']);
    else expect(() => JSON.parse(stdout)).not.toThrow();
    expect(stdout).not.toContain('at import');
    expect(stderr).toContain(`${HOSTILE}/prints.ts | console.log at import`);
    expect(stderr).toContain(`${HOSTILE}/prints.ts | process.stdout.write at import`);
    if (command !== 'list') {
      expect(stderr).toContain(`${HOSTILE}/prints.ts › prints | console.log in forward`);
      expect(stderr).toContain(`${HOSTILE}/prints.ts › prints | console.error in forward`);
    }
  });

  function junitCasesOf(xml: string): string[] {
    const file = join(scratch(), 'stdout.xml');
    writeFileSync(file, xml);
    return junitCases(file).map((test) => test.name);
  }
});

describe("one file's global changes never reach another file", () => {
  it('after a file replaces Math.abs, a wrong gradient still fails', async () => {
    const { code, stdout, stderr } = await runCli(['run', `${HOSTILE}/replaces-math-abs.ts`, WRONG, '--json']);
    expect(code).toBe(1);
    expect(statuses(stdout)).toEqual([`${HOSTILE}/replaces-math-abs.ts › fine after replacing Math.abs: pass`, `${WRONG} › wrong gradient: fail`]);
    expect(stderr).toContain(`gradcheck: warning: ${HOSTILE}/replaces-math-abs.ts changed Math.abs: the files after it are checked in a fresh worker`);
  });

  it('after a file replaces Math.max, the next file is checked as if alone', async () => {
    const { code, stdout } = await runCli(['run', `${HOSTILE}/replaces-math-max.ts`, WRONG, 'examples/tanh.ts', '--json']);
    expect(code).toBe(1);
    const ops: JsonOp[] = JSON.parse(stdout).ops;
    expect(ops.slice(1).map((op) => `${op.name}: ${op.status}`)).toEqual(['wrong gradient: fail', 'tanh: pass']);
  });
});

describe('an op that would stop the process it runs in', () => {
  it('is that op\'s error; the file\'s other ops and the other files are checked and reported, JUnit included', async () => {
    const junit = join(scratch(), 'junit.xml');
    const file = `${HOSTILE}/stops-itself.ts`;
    const { code, stdout } = await runCli(['run', file, 'examples/tanh.ts', '--json', '--junit', junit]);
    expect(code).toBe(2);
    const ops: JsonOp[] = JSON.parse(stdout).ops;
    expect(ops.map((op) => `${op.name}: ${op.status}`)).toEqual([
      'sends SIGTERM to itself: error',
      'sends SIGINT to itself: error',
      'calls process.abort: error',
      'calls process.chdir: error',
      'calls process.exit(0): error',
      'fine: pass',
      'tanh: pass',
    ]);
    expect(ops[0].error).toMatch(new RegExp(`^${file}:4: op 'sends SIGTERM to itself': forward threw: process\\.kill\\(\\d+\\) is not allowed: it would signal gradcheck's own process`));
    expect(ops[1].error).toMatch(/process\.kill\(\d+, "SIGINT"\) is not allowed/);
    expect(ops[2].error).toContain("process.abort() is not allowed: it would end gradcheck's run");
    expect(ops[3].error).toContain('process.chdir() is not allowed: it would change the working directory of the whole run');
    expect(ops[4].error).toContain("process.exit(0) is not allowed: it would end gradcheck's run");
    expect(junitCases(junit).map((test) => test.name)).toEqual(ops.map((op) => op.name));
  });
});

describe('asynchronous errors at import', () => {
  it("are the file's error, with its line", async () => {
    const { code, stdout } = await runCli(['run', `${HOSTILE}/rejects-at-import.ts`, `${HOSTILE}/timer-throws-at-import.ts`, 'examples/tanh.ts', '--json']);
    expect(code).toBe(2);
    const ops: JsonOp[] = JSON.parse(stdout).ops;
    expect(ops.map((op) => op.error ?? op.status)).toEqual([
      `${HOSTILE}/rejects-at-import.ts:4: importing the file left a promise rejection unhandled: the table failed to load`,
      `${HOSTILE}/timer-throws-at-import.ts:5: a callback set up at import threw: the deferred setup failed`,
      'pass',
    ]);
  });
});

describe('JUnit error bodies', () => {
  it('carry no stack trace without --verbose, and the op file\'s frames with it', async () => {
    const dir = scratch();
    const plain = join(dir, 'plain.xml');
    const verbose = join(dir, 'verbose.xml');
    await runCli(['run', 'test/fixtures/bad/throws.ts', '--junit', plain]);
    await runCli(['run', 'test/fixtures/bad/throws.ts', '--junit', verbose, '--verbose']);
    expect(junitCases(plain).filter((test) => test.error !== undefined)).toHaveLength(4);
    noStackTrace(readFileSync(plain, 'utf8'));
    expect(readFileSync(verbose, 'utf8')).toMatch(/^\s+at .*throws\.ts:8/m);
  });
});

describe('an output whose shape changes between evaluations', () => {
  it('is the op\'s error, naming both shapes', async () => {
    const file = `${HOSTILE}/shape-changes.ts`;
    const { code, stdout } = await runCli(['run', file, '--json']);
    expect(code).toBe(2);
    expect((JSON.parse(stdout).ops as JsonOp[]).map((op) => op.error)).toEqual([
      `${file}:5: op 'scalar, then a vector': the output's shape changed between evaluations, from [] to [3]`,
      `${file}:12: op 'transposed from the third call': the output's shape changed between evaluations, from [2, 3] to [3, 2]`,
    ]);
  });
});

describe('Ctrl-C', () => {
  it('lists the ops and files never reached as not run', async () => {
    const { code, stdout, stderr } = await interruptWhen(['run', `${HOSTILE}/interrupted.ts`, 'examples/tanh.ts', '--timeout', '0', '--json'], 'spinning');
    expect(code).toBe(130);
    const ops: JsonOp[] = JSON.parse(stdout).ops;
    expect(ops.map((op) => `${op.name}: ${op.status}`)).toEqual(['one: pass', 'two: pass', 'three spins: error', 'four: error', 'five: error', 'six: error', '(file): error']);
    expect(ops[2].error).toContain("op 'three spins' was interrupted");
    expect(ops[3].error).toBe(`${HOSTILE}/interrupted.ts:14: op 'four' was not run: the run was interrupted before it started`);
    expect(ops[6].error).toBe('examples/tanh.ts: not run: the run was interrupted before the file was imported');
    expect(stderr).toContain('gradcheck: interrupted; 3 ops and 1 file not run (listed as errors)');
  });
});

describe('two ops of one name in a file', () => {
  it('are warned of, and kept apart in JUnit by their lines', async () => {
    const junit = join(scratch(), 'junit.xml');
    const file = `${HOSTILE}/duplicate-names.ts`;
    const { code, stderr } = await runCli(['run', file, '--junit', junit]);
    expect(code).toBe(0);
    expect(stderr).toContain(`gradcheck: warning: ${file} has 2 ops named 'same name' (lines 4 and 5)`);
    expect(junitCases(junit).map((test) => test.name)).toEqual(['same name (line 4)', 'same name (line 5)']);
  });
});

describe('files that cannot be read as op files', () => {
  it('a file over the size limit is one line saying so, and the other files are checked', async () => {
    const dir = scratch();
    const big = join(dir, 'big.ts');
    const row = `${Array.from({ length: 100 }, (_, i) => (i / 7).toFixed(6)).join(', ')},\n`;
    writeFileSync(big, `import { defineOp } from 'gradcheck';\nconst table = [\n${row.repeat(Math.ceil((2.2 * 2 ** 20) / row.length))}];\nexport const op = defineOp({ name: 'big', inputs: { x: [2] }, forward: ({ x }) => x.mul(table[0]).sum() });\n`);
    const { code, stdout } = await runCli(['run', big, 'examples/tanh.ts', '--json']);
    expect(code).toBe(2);
    const ops: JsonOp[] = JSON.parse(stdout).ops;
    expect(ops[0].error).toMatch(new RegExp(`^${big}: 2\\.2 MB is too large for an op file \\(at most 2\\.0 MB.*keep large data in a \\.json file`));
    expect(ops[1].status).toBe('pass');
  });

  it('a symlink loop is named as one, not as a missing module of gradcheck\'s own', async () => {
    const dir = scratch();
    symlinkSync(join(dir, 'loop.ts'), join(dir, 'loop.ts'));
    writeFileSync(join(dir, 'good.ts'), readFileSync('examples/tanh.ts', 'utf8'));
    const named = await runCli(['run', join(dir, 'loop.ts')]);
    expect(named.code).toBe(2);
    expect(named.stderr.split('\n')[0]).toBe(`gradcheck: a symlink loop (too many levels of symbolic links): ${join(dir, 'loop.ts')}`);
    const walked = await runCli(['run', dir, '--json']);
    expect(walked.code).toBe(2);
    const ops: JsonOp[] = JSON.parse(walked.stdout).ops;
    expect(ops.map((op) => op.error ?? op.status)).toEqual(['pass', `${join(dir, 'loop.ts')}: a symlink loop (too many levels of symbolic links)`]);
    expect(walked.stdout).not.toContain('runtime.js');
  });
});
