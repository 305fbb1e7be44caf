// What an op may declare about itself, through the real CLI: randomness in the forward, a domain
// near a singularity, a backward nondeterministic by design, a forward-mode rule, and second order
// on ops too large to check element by element.
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

interface JsonInput { name: string; passed: boolean; relErr: number; ad?: 'forward' }
interface JsonOp { name: string; status: string; verdict?: string; maxRelErr: number; mode: string; diagnoses: { code: string; message: string; input?: string; detail?: { ratio?: number } }[]; inputs: JsonInput[] }

const json = async (args: string[]) => {
  const result = await runCli([...args, '--json']);
  const ops = (JSON.parse(result.stdout) as { ops: JsonOp[] }).ops;
  return { code: result.code, ops, byName: Object.fromEntries(ops.map((op) => [op.name, op])) };
};
const codes = (op: JsonOp) => op.diagnoses.map((d) => d.code);

describe('a forward that draws from Math.random', { concurrent: true }, () => {
  it('is checked as one function: dropout passes, a 0.1%-off vjp fails as scaled, and the report says the draws were replayed', async () => {
    const { code, byName } = await json(['run', 'test/fixtures/contract/randomness.ts']);
    expect(code).toBe(1);
    expect(byName['inverted dropout'].status).toBe('pass');
    expect(byName['engine dropout'].status).toBe('pass');
    expect(byName['engine dropout, vjp 0.1% off'].status).toBe('fail');
    expect(codes(byName['engine dropout, vjp 0.1% off'])).toContain('scaled');
    for (const op of Object.values(byName)) expect(codes(op)).toContain('replayed-random');
  });

  it('fails with fresh draws under --no-replay-random, and says why', async () => {
    const { code, byName } = await json(['run', 'test/fixtures/contract/randomness.ts', '--op', 'inverted dropout', '--no-replay-random']);
    expect(code).toBe(1);
    expect(byName['inverted dropout'].status).toBe('fail');
    expect(codes(byName['inverted dropout'])).toContain('fresh-random');
    expect(codes(byName['inverted dropout'])).not.toContain('replayed-random');
  });
});

describe('domains', { concurrent: true }, () => {
  it('differences an element at 1e-6 of sqrt at its own scale: passes at --tol 1e-9; without the domain it is inconclusive', async () => {
    const { byName } = await json(['run', 'test/fixtures/contract/domains.ts', '--tol', '1e-9']);
    const bounded = byName['sqrt, an element at 1e-6'];
    expect(bounded.status).toBe('pass');
    expect(bounded.maxRelErr).toBeLessThan(1e-9);
    const unbounded = byName['sqrt, an element at 1e-6, no domain'];
    expect(codes(unbounded)).toContain('inconclusive');
    expect(unbounded.maxRelErr).toBeGreaterThan(1e-6);
    expect(byName['log, drawn in its domain'].status).toBe('pass');
  });

  it('refuses given values outside the domain, naming the input', async () => {
    const { stdout, code } = await runCli(['run', 'test/fixtures/bad/domain-outside.ts']);
    expect(code).toBe(2);
    expect(stdout).toMatch(/domain-outside\.ts:\d+: op 'log of a negative': input 'x': value -1 is not inside its domain \[0, Infinity\]/);
  });
});

describe('a backward nondeterministic by design', { concurrent: true }, () => {
  it('fails by default as nondeterministic; --nondet-tol or the op\'s nondetTolerance above its jitter accepts it', async () => {
    const strict = await json(['run', 'test/fixtures/contract/nondet.ts']);
    expect(strict.byName['cube, backward jitters by 1e-10'].status).toBe('fail');
    expect(codes(strict.byName['cube, backward jitters by 1e-10'])).toEqual(['nondeterministic']);
    expect(strict.byName['cube, backward jitters by 1e-10, nondetTolerance 1e-9'].status).toBe('pass');
    const tolerant = await json(['run', 'test/fixtures/contract/nondet.ts', '--nondet-tol', '1e-9']);
    expect(tolerant.code).toBe(0);
    const tooTight = await json(['run', 'test/fixtures/contract/nondet.ts', '--nondet-tol', '1e-11', '--op', 'cube, backward jitters by 1e-10']);
    expect(tooTight.code).toBe(1);
  });
});

describe('forward mode (jvp)', { concurrent: true }, () => {
  it('checks each jvp beside the vjp: right ones pass, a 0.1%-off engine jvp and a 1%-off customOp jvp fail as jvp and inconsistent', async () => {
    const { byName } = await json(['run', 'test/fixtures/contract/forward-mode.ts']);
    expect(byName['engine tanh with jvp'].status).toBe('pass');
    expect(byName['customOp square with jvp'].status).toBe('pass');
    for (const name of ['engine tanh with jvp, jvp 0.1% off', 'customOp square, jvp 1% off']) {
      const op = byName[name];
      expect(op.status, name).toBe('fail');
      expect(codes(op)).toEqual(expect.arrayContaining(['jvp', 'inconsistent']));
      const forward = op.inputs.filter((input) => input.ad === 'forward');
      expect(forward).toHaveLength(1);
      expect(forward[0].passed).toBe(false);
      // the reverse rule is right: only the forward row fails
      expect(op.inputs.filter((input) => input.ad !== 'forward').every((input) => input.passed)).toBe(true);
    }
  });

  it('prints the forward rows as JVP of the input, and --ad reverse leaves them out', async () => {
    const both = await runCli(['run', 'test/fixtures/contract/forward-mode.ts', '--op', 'engine tanh with jvp']);
    expect(both.stdout).toMatch(/│ JVP of x\s+│ \[6\]/);
    const reverse = await json(['run', 'test/fixtures/contract/forward-mode.ts', '--ad', 'reverse']);
    expect(reverse.code).toBe(0);
    for (const op of reverse.ops) expect(op.inputs.some((input) => input.ad === 'forward')).toBe(false);
    const forward = await json(['run', 'test/fixtures/contract/forward-mode.ts', '--ad', 'forward']);
    expect(forward.code).toBe(1);
    for (const op of forward.ops) expect(op.inputs.every((input) => input.ad === 'forward')).toBe(true);
  });
});

describe('forward mode on a float32 engine', { concurrent: true }, () => {
  it('passes a right jvp and fails one 0.1% off at every seed, as reverse mode does its vjp; status and verdict agree', async () => {
    for (const seed of ['0', '1', '2']) {
      const { byName, code } = await json(['run', 'test/fixtures/float32/forward.ts', '--ad', 'forward', '--seed', seed]);
      expect(code).toBe(1);
      const right = byName['float32 engine with a jvp: tanh(x @ w)'];
      expect(right, `seed ${seed}`).toMatchObject({ status: 'pass', precision: 'float32', tolerance: 1e-4 });
      const off = byName['float32 engine with a jvp: tanh(x @ w), jvp of w 0.1% off'];
      expect(off.status, `seed ${seed}`).toBe('fail');
      expect(off.verdict).toBeUndefined();
      expect(off.inputs.map((input) => [input.name, input.passed])).toEqual([['x', true], ['w', false]]);
      const jvp = off.diagnoses.find((d) => d.code === 'jvp');
      expect(jvp).toMatchObject({ input: 'w', detail: { ratio: expect.closeTo(1.001, 4) } });
      expect(jvp!.message).toContain('0.10% too large');
    }
  });
});

describe('second order on large ops', { concurrent: true }, () => {
  it('checks 128×128 matmuls at order 2 along random directions, and fails a backward that detaches what it differentiates', async () => {
    const { byName } = await json(['run', 'test/fixtures/contract/second-order-large.ts', '--order', '2']);
    expect(byName['tanh matmul 128x128'].status).toBe('pass');
    expect(byName['tanh matmul 128x128'].mode).toBe('fast');
    expect(byName['tanh 64x64'].status).toBe('pass');
    const detached = byName['detached tanh 128x128'];
    expect(detached.status).toBe('fail');
    expect(detached.inputs.every((input) => !input.passed && input.relErr > 0.5)).toBe(true);
  });
});
