// Op files outside any npm project import 'gradcheck' and get the running CLI's own copy: the same
// Tensor class the checker uses, from ES modules and from files tsx compiles to CommonJS.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.ts';

const OP_FILE = (name: string) => `import { defineOp, customOp, Tensor, tensor } from 'gradcheck';
const cube = customOp({
  name: 'cube',
  forward: (x) => x.pow(3),
  backward: (grad, { inputs: [x] }) => {
    if (!(x instanceof Tensor)) throw new Error('two Tensor classes');
    return [grad.mul(x.square()).mul(3)];
  },
});
export default defineOp({
  name: '${name}',
  inputs: { x: { shape: [3], values: [0.5, -1, 2] } },
  forward: ({ x }) => cube(x).add(tensor([1, 2, 3])),
});
`;

describe('loading op files', { concurrent: true }, () => {
  it('resolves gradcheck from an op file outside any project (compiled to CommonJS)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradcheck-cjs-'));
    writeFileSync(join(dir, 'op.ts'), OP_FILE('outside, commonjs'));
    const { code, stdout } = await runCli(['run', join(dir, 'op.ts'), '--json'], { cwd: dir });
    expect(code).toBe(0);
    expect(JSON.parse(stdout).ops[0]).toMatchObject({ name: 'outside, commonjs', status: 'pass' });
  });

  it('resolves gradcheck from an ES module in a "type": "module" package elsewhere', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradcheck-esm-'));
    mkdirSync(join(dir, 'ops'));
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(join(dir, 'ops', 'op.ts'), OP_FILE('outside, esm'));
    writeFileSync(join(dir, 'ops', 'plain.mjs'), OP_FILE('plain javascript').replace(/\(x\) =>/g, 'x =>'));
    const { code, stdout } = await runCli(['run', join(dir, 'ops'), '--json'], { cwd: dir });
    expect(code).toBe(0);
    const names = JSON.parse(stdout).ops.map((op: { name: string; status: string }) => `${op.name}: ${op.status}`);
    expect(names).toEqual(['outside, esm: pass', 'plain javascript: pass']);
  });

  it('loads op files that need ES modules: import.meta, top-level await, .mts, and a relative helper', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradcheck-esm-only-'));
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(join(dir, 'helper.ts'), 'export const scale = (x: import("gradcheck").Tensor) => x.mul(2);\n');
    writeFileSync(
      join(dir, 'meta.ts'),
      `import { defineOp } from 'gradcheck';
import { scale } from './helper.ts';
const here = new URL(import.meta.url).pathname;
const shift = await Promise.resolve(here.endsWith('meta.ts') ? 1 : NaN);
export default defineOp({ name: 'import.meta and await', inputs: { x: [3] }, forward: ({ x }) => scale(x).add(shift).tanh() });
`,
    );
    writeFileSync(join(dir, 'module.mts'), OP_FILE('an .mts file'));
    const { code, stdout, stderr } = await runCli(['run', join(dir, 'meta.ts'), join(dir, 'module.mts'), '--json'], { cwd: dir });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const ops = JSON.parse(stdout).ops.map((op: { name: string; status: string }) => `${op.name}: ${op.status}`);
    expect(ops).toEqual(['import.meta and await: pass', 'an .mts file: pass']);
  });

  it('checks every defineOp export, the default included, in source order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradcheck-exports-'));
    writeFileSync(
      join(dir, 'ops.ts'),
      `import { defineOp } from 'gradcheck';
export const b = defineOp({ name: 'second', inputs: { x: [2] }, forward: ({ x }) => x.exp() });
export const a = defineOp({ name: 'first', inputs: { x: [2] }, forward: ({ x }) => x.tanh() });
export default defineOp({ name: 'third', inputs: { x: [2] }, forward: ({ x }) => x.square() });
export const alias = a;
export const notAnOp = 42;
`,
    );
    const { stdout } = await runCli(['run', join(dir, 'ops.ts'), '--json']);
    expect(JSON.parse(stdout).ops.map((op: { name: string }) => op.name)).toEqual(['second', 'first', 'third']);
  });
});
