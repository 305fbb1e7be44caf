// Ops with several outputs, through the real CLI: a two-output customOp (an LSTM cell), a record of
// tensors, split into an array of outputs, engines returning a record or a named array, and a
// flat engine output with its shape declared. Each output is checked alone, the others receiving no
// gradient; a backward wrong along one output's path fails naming that output.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

interface JsonOp {
  name: string;
  status: string;
  outputs?: { name: string; shape: number[]; passed: boolean; relErr: number }[];
  diagnoses: { code: string; message: string; input?: string; output?: string }[];
}

async function run(file: string, args: string[] = []): Promise<Record<string, JsonOp>> {
  const { stdout } = await runCli(['run', `test/fixtures/outputs/${file}`, '--json', ...args]);
  return Object.fromEntries((JSON.parse(stdout) as { ops: JsonOp[] }).ops.map((op) => [op.name, op]));
}

const said = (op: JsonOp) => JSON.stringify(op.diagnoses.map((d) => `${d.code}: ${d.message.slice(0, 160)}`));

describe('an LSTM cell as one customOp with outputs h and c', { concurrent: true }, () => {
  it.each([0, 1, 2, 3, 4])('passes at seed %i, each output checked alone, and under --order 2', async (seed) => {
    const ops = await run('lstm.ts', ['--seed', String(seed)]);
    const cell = ops['lstm cell'];
    expect(cell.status, said(cell)).toBe('pass');
    expect(cell.outputs!.map(({ name, passed }) => [name, passed])).toEqual([['h', true], ['c', true]]);
    // Only h used, as a network would: the customOp, checked alone under a random cotangent, passes too.
    expect(ops['lstm cell, h used'].status, said(ops['lstm cell, h used'])).toBe('pass');
    if (seed === 0) {
      const second = await run('lstm.ts', ['--order', '2', '--op', 'lstm cell']);
      expect(second['lstm cell'].status, said(second['lstm cell'])).toBe('pass');
    }
  });

  it.each([0, 1, 2, 3, 4])('fails a backward wrong along one output\'s path only, naming that output (seed %i)', async (seed) => {
    const ops = await run('lstm.ts', ['--seed', String(seed)]);
    for (const [name, output] of [['lstm cell, c path', 'c'], ['lstm cell, h path', 'h']]) {
      const op = ops[name];
      expect(op.status, name).toBe('fail');
      expect(op.outputs!.filter((o) => !o.passed).map((o) => o.name), name).toEqual([output]);
      const findings = op.diagnoses.filter((d) => d.code !== 'non-differentiable');
      expect(findings.length, name).toBeGreaterThan(0);
      for (const d of findings) {
        expect(d.output, `${name}: ${d.message}`).toBe(output);
        expect(d.message).toContain(`through output '${output}'`);
      }
    }
  });

  it('fails as absent-output a backward that takes a missing gradient as ones, or cannot run without both', async () => {
    const ops = await run('lstm.ts');
    expect(ops['lstm cell, null as ones'].status).toBe('fail');
    expect(ops['lstm cell, null as ones'].diagnoses.map((d) => d.code)).toContain('absent-output');
    const both = ops['lstm cell, needs both'];
    expect(both.status).toBe('fail');
    const absent = both.diagnoses.find((d) => d.code === 'absent-output');
    expect(absent?.output).toBe('c');
    expect(absent?.message).toContain("with only output 'c' receiving a gradient");
    expect(absent?.message).toContain('backward threw TypeError');
  });

  it('prints each output checked alone under the table', async () => {
    const { stdout } = await runCli(['run', 'test/fixtures/outputs/lstm.ts', '--op', 'lstm cell, c path']);
    expect(stdout).toMatch(/outputs, each alone: h \[\d, 4\] [\d.e-]+ ok, c \[\d, 4\] [\d.e-]+ FAIL/);
    expect(stdout).toContain("⚠ mismatch (x): through output 'c':");
  });

  it('shows each output checked alone in the Markdown and HTML reports too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradcheck-outputs-'));
    try {
      const html = join(dir, 'report.html');
      const { stdout } = await runCli(['run', 'test/fixtures/outputs/lstm.ts', '--op', 'lstm cell, c path', '--reporter', 'markdown', '--html', html]);
      expect(stdout).toMatch(/Outputs, each alone: h \[\d, 4\] [\d.e-]+ ok, c \[\d, 4\] [\d.e-]+ \*\*FAIL\*\*/);
      expect(readFileSync(html, 'utf8')).toMatch(/<p class="outputs">outputs, each alone: h \[\d, 4\] [\d.e-]+ <b>ok<\/b>, c \[\d, 4\] [\d.e-]+ <b>FAIL<\/b><\/p>/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('several outputs given wrongly', () => {
  it('is one line per op naming the file, the op and what is wrong; the correct op beside them passes', async () => {
    const { code, stdout } = await runCli(['run', 'test/fixtures/outputs/broken.ts', '--json']);
    expect(code).toBe(2);
    const ops = Object.fromEntries((JSON.parse(stdout).ops as { name: string; status: string; error?: string }[]).map((op) => [op.name, op]));
    const errors: Record<string, string> = {
      'customOp returns []': "customOp 'empty': forward returned an empty array: it needs at least one output",
      'record with a number': "forward must return a Tensor, an array of tensors or a record of tensors: output 'c' is number",
      'engine record declared, array returned': "evaluate must return a record of the outputs p, q, as the op's `outputs` declares, got an array of length 2",
      'engine record missing q': "evaluate must return a record of the outputs p, q, as the op's `outputs` declares, got a record of p",
      'engine outputs wrong size': "evaluate returned 3 values for output 'q', whose declared shape [2] has 2",
      'empty record': 'forward must return a Tensor, an array of tensors or a record of tensors, got an empty record',
    };
    for (const [name, message] of Object.entries(errors)) {
      expect(ops[name]?.status, name).toBe('error');
      expect(ops[name]?.error, name).toContain(message);
      expect(ops[name]?.error, name).not.toContain('\n');
    }
    expect(ops.fine.status).toBe('pass');
  });
});

describe('outputs as a record, an array, and engines', { concurrent: true }, () => {
  it('pass when right at seeds 0–4 and --order 2; an engine whose s path is 2× wrong fails naming s', async () => {
    for (const seed of [0, 1, 2, 3, 4]) {
      const ops = await run('several.ts', ['--seed', String(seed)]);
      for (const name of ['mean and variance', 'split into three', 'engine, record of outputs', 'engine, array of outputs', 'engine, flat output of shape [2, 3]']) {
        expect(ops[name].status, `seed ${seed} ${name}: ${said(ops[name])}`).toBe('pass');
      }
      expect(ops['split into three'].outputs!.map((o) => [o.name, o.shape])).toEqual([['0', [4, 1]], ['1', [4, 2]], ['2', [4, 3]]]);
      const wrong = ops['engine, record of outputs, s path 2× wrong'];
      expect(wrong.status).toBe('fail');
      expect(wrong.outputs!.map((o) => [o.name, o.passed])).toEqual([['h', true], ['s', false]]);
      expect(wrong.diagnoses.some((d) => d.output === 's')).toBe(true);
    }
    const second = await run('several.ts', ['--order', '2', '--op', 'mean and variance']);
    expect(second['mean and variance'].status).toBe('pass');
    const split = await run('several.ts', ['--order', '2', '--op', 'split into three']);
    expect(split['split into three'].status).toBe('pass');
  });
});
