// The backward's whole contract, through the real CLI: each broken trust (a backward that ignores
// its gradient, writes into data it does not own, a forward that writes into its inputs or is
// stale, outputs at the edges of floating point) fails with its own diagnosis, and its correct twin
// passes. The corpus under test/fixtures/contract-violations/ is every case of the issue, the four
// classic bugs, in customOps and engines, under .sum(), .mean() and a non-scalar output.
import { describe, expect, it } from 'vitest';
import { REPO, runCli } from '../helpers/cli.ts';

interface JsonOp { name: string; status: string; verdict?: string; maxRelErr: number; diagnoses: { code: string; message: string; input?: string }[] }

const DIR = 'test/fixtures/contract-violations';

async function run(file: string, args: string[] = []) {
  const { code, stdout } = await runCli(['run', `${DIR}/${file}`, '--json', ...args]);
  const ops = (JSON.parse(stdout) as { ops: JsonOp[] }).ops;
  return { code, byName: Object.fromEntries(ops.map((op) => [op.name, op])) as Record<string, JsonOp> };
}

const codes = (op: JsonOp) => op.diagnoses.map((d) => d.code);

/** op name → the code its failure must carry, or 'pass'. */
function expectVerdicts(byName: Record<string, JsonOp>, expected: Record<string, string>) {
  for (const [name, verdict] of Object.entries(expected)) {
    const op = byName[name];
    expect(op, name).toBeDefined();
    if (verdict === 'pass') {
      expect(op.status, `${name}: ${JSON.stringify(op.diagnoses.map((d) => d.message))}`).toBe('pass');
    } else {
      expect(op.status, name).toBe('fail');
      expect(op.verdict, name).toBeUndefined();
      expect(codes(op), name).toContain(verdict);
    }
  }
}

describe('a backward that ignores the gradient it is handed', { concurrent: true }, () => {
  it('fails as ignores-gradient under .sum(), .mean() and a non-scalar output, in customOps and engines; the twins pass', async () => {
    const { code, byName } = await run('ignores-gradient.ts');
    expect(code).toBe(1);
    expectVerdicts(byName, {
      'tanh(x).sum()': 'pass',
      'tanh(x).sum(), backward without grad': 'ignores-gradient',
      'tanh(x).mean()': 'pass',
      'tanh(x).mean(), backward without grad': 'ignores-gradient',
      'tanh(x)': 'pass',
      'tanh(x), backward without grad': 'ignores-gradient',
      '(exp(x) + 3x).sum()': 'pass',
      '(exp(x) + 3x).sum(), exp backward without grad': 'ignores-gradient',
      'micrograd sum of tanh': 'pass',
      'micrograd sum of tanh, tanh forgets out.grad': 'ignores-gradient',
      'engine sum of squares': 'pass',
      'engine sum of squares, vjp never reads its cotangent': 'ignores-gradient',
    });
  });

  it('a customOp among others whose backward is wrong only under some cotangent fails the op that hands it ones, named where it was called', async () => {
    const { byName } = await run('hidden.ts');
    const op = byName['two customOps under .sum(), one reads only grad[0]'];
    expect(op.status).toBe('fail');
    const culprit = op.diagnoses.find((d) => d.code === 'culprit');
    expect(culprit?.message).toContain(`customOp 'scale by grad[0]' at ${DIR}/hidden.ts:`);
    expect(culprit?.message).toContain("input 'x'");
    expect(culprit?.message).toContain('The op as a whole passes');
    expect(byName['two customOps under .sum()'].status).toBe('pass');
  });

  it('names the customOp relative to its project, from whatever folder the run starts in', async () => {
    const { stdout } = await runCli(['run', `${REPO}/${DIR}/hidden.ts`], { cwd: `${REPO}/test` });
    expect(stdout).toMatch(new RegExp(`customOp 'scale by grad\\[0\\]' at ${DIR}/hidden\\.ts:\\d+`));
  });
});

describe('writes into data the op does not own', { concurrent: true }, () => {
  it('fail as mutates-input, mutates-gradient or mutates-output, each beside a twin that passes', async () => {
    const { byName } = await run('mutates.ts');
    expectVerdicts(byName, {
      'relu_ on the input, in place': 'mutates-input',
      'relu on a copy': 'pass',
      'engine sorting its input in place': 'mutates-input',
      'engine sorting a copy': 'pass',
      'backward writes into its grad (nobody else reads it)': 'mutates-gradient',
      'backward leaves its grad alone': 'pass',
      'backward writes into a grad another consumer reads': 'mutates-gradient',
      'a grad two consumers read, left alone': 'pass',
      'backward writes into its saved output': 'mutates-output',
      'backward reads its saved output': 'pass',
      'engine squares, vjp writes into its cotangent': 'mutates-gradient',
      'engine squares, vjp writes into its input': 'mutates-input',
      'engine squares': 'pass',
    });
    // Not the wrong cause: the gradient written into is no 'detached' input.
    expect(codes(byName['backward writes into a grad another consumer reads'])).not.toContain('detached');
    expect(byName['relu_ on the input, in place'].diagnoses[0].message).toMatch(/the forward writes into its input 'x' \(\[\d+\]: -?[\d.]+ → 0\)/);
  });
});

describe('a forward that memoises its result', { concurrent: true }, () => {
  it('fails as stale-forward (by tensor, by array, always), never as a zero gradient; an honest forward with the same wrong backward fails as scaled', async () => {
    const { byName } = await run('stale.ts');
    expectVerdicts(byName, {
      'memoised by input tensor': 'stale-forward',
      'engine memoised by its input array': 'stale-forward',
      'memoised always': 'stale-forward',
      'cube, honest forward, backward 3× wrong': 'scaled',
      'cube, honest': 'pass',
    });
  });
});

describe('outputs at the edges of floating point', { concurrent: true }, () => {
  it('fails a backward 1% off and one at half near exp’s overflow, and a 2× backward of a denormal output; the right ones pass or are inconclusive, never failed', async () => {
    const { byName } = await run('extremes.ts');
    expectVerdicts(byName, {
      'exp near overflow': 'pass',
      'exp near overflow, backward 1% off': 'scaled',
      'exp near overflow, backward at half': 'scaled',
      'denormal output, backward 2× wrong': 'scaled',
      'sigmoid² through the denormals': 'pass',
    });
    const denormal = byName['denormal output'];
    expect(denormal.status).toBe('pass');
    expect(denormal.verdict).toBe('inconclusive');
    expect(denormal.diagnoses[0].message).toContain("lies in float64's denormal range");
    expect(denormal.diagnoses[0].message).not.toContain('cancels');
  });
});

describe('the four classic bugs in customOps', { concurrent: true }, () => {
  it('fail under .sum(), .mean() and a non-scalar output; the correct op passes under each', async () => {
    const { byName } = await run('classic.ts');
    for (const how of ['sum', 'mean', 'vector']) {
      expectVerdicts(byName, {
        [`forgot zero_grad, ${how}`]: 'accumulated',
        [`= instead of +=, ${how}`]: 'scaled',
        [`.detach() between the ops, ${how}`]: 'mismatch',
        [`matmul operand order, ${how}`]: 'mismatch',
        [`correct, ${how}`]: 'pass',
      });
    }
  });
});
