// Tensors from another copy of gradcheck, through the real CLI: an op file that imports its tensor
// ops from a second copy (here core/ and ops/ copied to a folder of its own) beside the 'gradcheck'
// it gets. A forward or a customOp cannot return one (no tape of this copy records it): the error
// says where it came from. An engine op's evaluate and vjp return values only, so theirs are taken.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, runCli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'gradcheck-copy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
for (const folder of ['core', 'ops']) cpSync(join(REPO, 'src', folder), join(dir, 'copy', folder), { recursive: true });
const file = join(dir, 'foreign.ts');
writeFileSync(
  file,
  `import { customOp, defineOp } from 'gradcheck';
import { tensor } from './copy/core/index.ts';
export const f = defineOp({ name: 'forward', inputs: { x: [3] }, forward: ({ x }) => tensor(Array.from(x.data, Math.tanh)).sum() as never });
const foreign = customOp({ name: 'foreign square', forward: (x) => tensor(Array.from(x.data, (v) => v * v)) as never, backward: (grad, { inputs: [x] }) => [grad.mul(x).mul(2)] });
export const c = defineOp({ name: 'customOp', inputs: { x: [3] }, forward: ({ x }) => foreign(x).sum() });
export const e = defineOp({
  name: 'engine',
  inputs: { x: [3] },
  evaluate: ({ x }) => tensor(x.map(Math.tanh)) as never,
  vjp: ({ x }, ct) => ({ x: tensor(x.map((v, i) => ct[i] * (1 - Math.tanh(v) ** 2))) as never }),
});
`,
);

describe('a Tensor from another copy of gradcheck', () => {
  it('is named as such where it cannot be used, and taken as values where it can', async () => {
    const { code, stdout } = await runCli(['run', file, '--json']);
    expect(code).toBe(2);
    const ops: { name: string; status: string; error?: string }[] = JSON.parse(stdout).ops;
    const FOREIGN = "a Tensor from another copy of gradcheck: import defineOp, customOp and every tensor op from the same 'gradcheck'";
    expect(ops.map((op) => op.error ?? `${op.name}: ${op.status}`)).toEqual([
      `${file}:3: op 'forward': forward must return a Tensor, got ${FOREIGN}`,
      `${file}:5: op 'customOp': forward threw TypeError: customOp 'foreign square': forward must return a Tensor, got ${FOREIGN}`,
      'engine: pass',
    ]);
  });
});
