// Bad input through the real CLI: every file is reported, each problem in one line naming the file,
// the op and the line; hangs, crashes and out-of-memory ops become errors and the run goes on.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

vi.setConfig({ testTimeout: 120_000 });
import { interruptWhen, runCli } from '../helpers/cli.ts';

const BAD = 'test/fixtures/bad';

interface JsonOp {
  file: string;
  name: string;
  status: string;
  line?: number;
  error?: string;
  elapsedMs: number;
  diagnoses: { code: string; message: string }[];
}

function byName(ops: JsonOp[], file: string, name: string): JsonOp {
  const op = ops.find((o) => o.file === file && o.name === name);
  if (!op) throw new Error(`no report for ${file} › ${name}; got ${ops.map((o) => `${o.file} › ${o.name}`).join(', ')}`);
  return op;
}

// esbuild (through tsx) reports the position; type-checking the repo must not see this file, so it is written at test time.
function syntaxErrorFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gradcheck-syntax-'));
  const file = join(dir, 'syntax-error.ts');
  writeFileSync(file, "import { defineOp } from 'gradcheck';\n\nexport const op = defineOp({ name: 'x', inputs: { x: [2] }, forward: ({ x }) => x.sum( });\n");
  return file;
}

describe('bad op files, mixed with a good one', { concurrent: true }, () => {
  const syntax = syntaxErrorFile();
  const files = ['throws.ts', 'gradients.ts', 'numbers.ts', 'specs.ts', 'throw-at-import.ts', 'no-ops.ts', 'exits.ts'].map((f) => `${BAD}/${f}`);
  const run = runCli(['run', ...files, syntax, 'examples/tanh.ts', '--json']);

  it('reports every file, the good one passed, and exits 2', async () => {
    const { code, stdout } = await run;
    expect(code).toBe(2);
    const ops: JsonOp[] = JSON.parse(stdout).ops;
    expect(new Set(ops.map((op) => op.file))).toEqual(new Set([...files, syntax, 'examples/tanh.ts']));
    expect(byName(ops, 'examples/tanh.ts', 'tanh').status).toBe('pass');
    // Command-line order, whichever worker finished first.
    expect([...new Set(ops.map((op) => op.file))]).toEqual([...files, syntax, 'examples/tanh.ts']);
    for (const op of ops) {
      if (op.status === 'error') {
        expect(op.error, `${op.file} › ${op.name}`).toContain(op.file);
        expect(op.error).not.toContain('\n');
      }
    }
  });

  it('names file:line:col of a syntax error and the line of a throw at import', async () => {
    const ops: JsonOp[] = JSON.parse((await run).stdout).ops;
    expect(byName(ops, syntax, '(file)').error).toBe(`${syntax}:3:87: syntax error: Unexpected "}"`);
    expect(byName(ops, `${BAD}/throw-at-import.ts`, '(file)').error).toBe(`${BAD}/throw-at-import.ts:5: importing the file threw config.width is not set`);
    expect(byName(ops, `${BAD}/no-ops.ts`, '(file)').error).toBe(`no defineOp export in ${BAD}/no-ops.ts`);
  });

  it('names the op, its line and the line that threw in forward, backward, evaluate and vjp', async () => {
    const ops: JsonOp[] = JSON.parse((await run).stdout).ops;
    const f = `${BAD}/throws.ts`;
    expect(byName(ops, f, 'throws in forward').error).toBe(`${f}:4: op 'throws in forward': forward threw: forward exploded (at line 8)`);
    expect(byName(ops, f, 'throws in backward').error).toBe(`${f}:19: op 'throws in backward': backward threw RangeError: backward exploded (at line 16)`);
    expect(byName(ops, f, 'throws in evaluate').error).toBe(`${f}:21: op 'throws in evaluate': evaluate threw: evaluate exploded (at line 25)`);
    expect(byName(ops, f, 'throws in vjp').error).toBe(`${f}:30: op 'throws in vjp': vjp threw: vjp exploded (at line 35)`);
  });

  it('names the op, the input and both shapes when gradients are missing, extra or misshapen', async () => {
    const ops: JsonOp[] = JSON.parse((await run).stdout).ops;
    const f = `${BAD}/gradients.ts`;
    expect(byName(ops, f, 'too few gradients').error).toContain("customOp 'mul (too few)': backward returned 1 gradient for 2 inputs");
    expect(byName(ops, f, 'too many gradients').error).toContain("customOp 'square (too many)': backward returned 2 gradients for 1 input");
    expect(byName(ops, f, 'vjp misses an input').error).toBe(
      `${f}:13: op 'vjp misses an input': vjp returned no gradient for input 'y' (an input that takes none is declared with grad: false)`,
    );
  });

  it('fails a backward that returns a gradient of the wrong shape: it ran, and its gradient is wrong', async () => {
    const ops: JsonOp[] = JSON.parse((await run).stdout).ops;
    const f = `${BAD}/gradients.ts`;
    const shape = byName(ops, f, 'wrong gradient shape');
    expect(shape.status).toBe('fail');
    expect(shape.diagnoses).toEqual([expect.objectContaining({ code: 'wrong-shape', input: 'x' })]);
    expect(shape.diagnoses[0].message).toMatch(/backward returned a gradient of shape \[2\] for input .* which has shape \[2, 3\]/);
    const short = byName(ops, f, 'vjp wrong length');
    expect(short.status).toBe('fail');
    expect(short.diagnoses[0]).toMatchObject({ code: 'wrong-shape', input: 'x' });
    expect(short.diagnoses[0].message).toContain("vjp returned 3 values for input 'x', which has 4 elements (shape [4])");
  });

  it('reports an output that changes size, NaN outputs and infinite gradients', async () => {
    const ops: JsonOp[] = JSON.parse((await run).stdout).ops;
    const f = `${BAD}/numbers.ts`;
    expect(byName(ops, f, 'output changes size').error).toContain('the output changed size from 4 to 3 when an input was perturbed');
    const nan = byName(ops, f, 'NaN output');
    expect(nan.status).toBe('error');
    expect(nan.error).toContain('NaN at [0]');
    // A gradient that is not finite where f is cannot be right: a failed check, with the reason.
    const inf = byName(ops, f, 'infinite gradient');
    expect(inf.status).toBe('fail');
    expect(inf.diagnoses.map((d) => d.message).join()).toContain("the analytic gradient of 'x' is Infinity");
  });

  it('names the input of an invalid input spec; the valid op beside them passes', async () => {
    const ops: JsonOp[] = JSON.parse((await run).stdout).ops;
    const f = `${BAD}/specs.ts`;
    expect(byName(ops, f, 'negative dimension').error).toBe(`${f}:6: op 'negative dimension': input 'x': dimension -3 in shape [2, -3] is not a non-negative integer`);
    expect(byName(ops, f, 'fractional dimension').error).toContain("input 'x': dimension 2.5 in shape [2.5] is not a non-negative integer");
    expect(byName(ops, f, 'values do not fill').error).toContain("input 'x': 3 values do not fill shape [2, 2] (4 elements)");
    expect(byName(ops, f, 'low not below high').error).toContain("input 'x': low (1) must be below high (1)");
    expect(byName(ops, f, 'valid').status).toBe('pass');
  });

  it('reports an op that calls process.exit instead of dying with it', async () => {
    const ops: JsonOp[] = JSON.parse((await run).stdout).ops;
    expect(byName(ops, `${BAD}/exits.ts`, 'calls process.exit').error).toBe(
      `${BAD}/exits.ts:4: op 'calls process.exit': forward threw: process.exit(3) is not allowed: it would end gradcheck's run (throw an Error to report a problem) (at line 7)`,
    );
  });
});

describe('stack traces', { concurrent: true }, () => {
  // Left out without --verbose: test/report/reporters.test.ts (the table) and test/cli/reporters.test.ts.
  it('are shown with --verbose, under the one-line error', async () => {
    const verbose = await runCli(['run', `${BAD}/throws.ts`, '--verbose']);
    expect(verbose.code).toBe(2);
    expect(verbose.stdout).toContain("op 'throws in forward': forward threw: forward exploded (at line 8)");
    expect(verbose.stdout).toMatch(/^\s+at .*throws\.ts:8/m);
  });
});

describe('usage errors', { concurrent: true }, () => {
  it.each([
    [['run', 'examples/tanh.ts', '--bogus'], "gradcheck: unknown option '--bogus'"],
    [['run', 'examples/tanh.ts', '--timeout', 'soon'], "expected a whole number of milliseconds (0 for no limit), got 'soon'"],
    [['run', 'examples/tanh.ts', '--max-memory', '-5'], "expected a whole number of megabytes, at least 16, got '-5'"],
    [['run', 'examples/tanh.ts', '--tol', 'abc'], "expected a positive number, got 'abc'"],
    [['run', 'no/such/file.ts'], 'gradcheck: no such file or directory: no/such/file.ts'],
  ])('%j exits 2 with one line and the usage hint', async (args, message) => {
    const { code, stdout, stderr } = await runCli(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const lines = stderr.trim().split('\n');
    expect(lines[0]).toContain(message);
    expect(lines).toEqual([lines[0], '(run gradcheck --help for usage)']);
  });
});

describe('determinism', { concurrent: true }, () => {
  it('gives byte-identical JSON for the same seed, timings aside', async () => {
    const args = ['run', 'examples/matmul.ts', `${BAD}/specs.ts`, 'examples/tanh.ts', '--seed', '11', '--json'];
    const [a, b] = await Promise.all([runCli(args), runCli(args)]);
    const withoutTimings = (text: string) => text.replace(/"elapsedMs": [\d.e+-]+/g, '"elapsedMs": 0');
    expect(withoutTimings(a.stdout)).toBe(withoutTimings(b.stdout));
    expect(JSON.parse(a.stdout).seed).toBe(11);
  });
});

// One test at a time, after the others: these wait on time limits, and CLI runs beside them on a
// two-core machine could make an op that should pass miss its limit.
describe('isolation', () => {
  it('stops an op that never returns (--timeout) and checks the ops after it', async () => {
    const { code, stdout } = await runCli(['run', `${BAD}/hang.ts`, `${BAD}/hang-at-import.ts`, 'examples/tanh.ts', '--timeout', '1500', '--json']);
    expect(code).toBe(2);
    const ops: JsonOp[] = JSON.parse(stdout).ops;
    expect(ops.map((op) => [op.name, op.status])).toEqual([['before', 'pass'], ['spins forever', 'error'], ['after', 'pass'], ['(file)', 'error'], ['tanh', 'pass']]);
    expect(ops[1].error).toBe(`${BAD}/hang.ts:6: op 'spins forever' did not finish within 1500 ms (--timeout)`);
    expect(ops[3].error).toBe(`${BAD}/hang-at-import.ts: importing the file did not finish within 1500 ms (--timeout)`);
  });

  it('sweep stops a hanging op and a hanging import the same way, and sweeps the rest', async () => {
    const { code, stdout } = await runCli(['sweep', `${BAD}/hang.ts`, `${BAD}/hang-at-import.ts`, 'examples/tanh.ts', '--timeout', '1500', '--json']);
    expect(code).toBe(2);
    const ops: { name: string; status: string; error?: string; inputs: unknown[] }[] = JSON.parse(stdout).ops;
    expect(ops.map((op) => [op.name, op.status])).toEqual([['before', 'pass'], ['spins forever', 'error'], ['after', 'pass'], ['(file)', 'error'], ['tanh', 'pass']]);
    expect(ops[1].error).toBe(`${BAD}/hang.ts:6: op 'spins forever' did not finish within 1500 ms (--timeout)`);
    expect(ops[1].inputs).toEqual([]);
    expect(ops[3].error).toBe(`${BAD}/hang-at-import.ts: importing the file did not finish within 1500 ms (--timeout)`);
    expect(ops[4].inputs).toHaveLength(1);
  });

  it('list stops a hanging import too, and lists the other files', async () => {
    const { code, stdout } = await runCli(['list', `${BAD}/hang-at-import.ts`, `${BAD}/hang.ts`, '--timeout', '1500', '--json']);
    expect(code).toBe(2);
    const files: { file: string; ops: { name: string }[]; error?: string }[] = JSON.parse(stdout).files;
    expect(files.map((file) => [file.file, file.ops.map((op) => op.name)])).toEqual([
      [`${BAD}/hang-at-import.ts`, []],
      [`${BAD}/hang.ts`, ['before', 'spins forever', 'after']],
    ]);
    expect(files[0].error).toBe(`${BAD}/hang-at-import.ts: importing the file did not finish within 1500 ms (--timeout)`);
  });

  it('reports an op that exhausts memory, and checks the ops after it', async () => {
    const { code, stdout } = await runCli(['run', `${BAD}/out-of-memory.ts`, '--max-memory', '128', '--json']);
    expect(code).toBe(2);
    const ops: JsonOp[] = JSON.parse(stdout).ops;
    expect(ops.map((op) => [op.name, op.status])).toEqual([['hogs memory', 'error'], ['after', 'pass']]);
    expect(ops[0].error).toBe(`${BAD}/out-of-memory.ts:4: op 'hogs memory' ran out of memory: the JavaScript heap reached its limit of 128 MB (--max-memory)`);
  });

  it('does not blame the next file for a worker killed by an earlier op\'s stray timer', async () => {
    const { code, stdout } = await runCli(['run', `${BAD}/stray-timer.ts`, 'examples/tanh.ts', '--json']);
    const ops: JsonOp[] = JSON.parse(stdout).ops;
    expect(ops.map((op) => [op.name, op.status])).toEqual([['leaves a throwing timer', 'pass'], ['tanh', 'pass']]);
    expect(code).toBe(0);
  });

  it.each(['run', 'sweep'])('%s: on Ctrl-C stops at once, prints what it has and exits 130', async (command) => {
    const { code, stdout, stderr } = await interruptWhen([command, `${BAD}/hang.ts`, '--timeout', '0'], 'spinning');
    expect(code).toBe(130);
    expect(stdout).toMatch(/PASS\s+before/);
    expect(stdout).toContain("op 'spins forever' was interrupted");
    // Never started, yet counted: listed as not run.
    expect(stdout).toContain("op 'after' was not run: the run was interrupted before it started");
    expect(stderr).toContain('gradcheck: interrupted; 1 op not run');
  }, 120_000);
});
