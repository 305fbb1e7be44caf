// Top-level await in a .ts op file outside a "type": "module" package, through the real CLI: tsx
// compiles such a file to CommonJS, where a top-level await is a syntax error; the README says it
// makes gradcheck load the file as an ES module, and so it does, whether the await is where a quick
// look finds it or not, with import.meta.url the file's own.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

// A temporary folder: no package.json above it, so a .ts file there is a CommonJS package's.
const dir = mkdtempSync(join(tmpdir(), 'gradcheck-tla-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const files = {
  'awaits.ts': `import { defineOp } from 'gradcheck';
const k = await new Promise<number>((resolve) => setTimeout(() => resolve(2), 5));
export const op = defineOp({ name: 'top-level await', inputs: { x: [3] }, forward: ({ x }) => x.mul(k).tanh().sum() });
`,
  'helper.ts': `import { defineOp } from 'gradcheck';
export const scaled = (name: string, k: number) => defineOp({ name, inputs: { x: [3] }, forward: ({ x }) => x.mul(k).tanh().sum() });
`,
  // The await sits inside a call: the quick look for one misses it, the CommonJS compile fails, the file is imported again.
  'inside-a-call.ts': `import { scaled } from './helper.ts';
const ks: number[] = [];
ks.push(await Promise.resolve(3));
export const op = scaled('await inside a call', ks[0]);
`,
  'meta.ts': `import { defineOp } from 'gradcheck';
export const op = defineOp({ name: import.meta.url, inputs: { x: [3] }, forward: ({ x }) => x.tanh().sum() });
`,
};
for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);

describe('top-level await outside a "type": "module" package', () => {
  it('loads the file as an ES module, and checks its ops', async () => {
    const paths = ['awaits.ts', 'inside-a-call.ts', 'meta.ts'].map((name) => join(dir, name));
    const { code, stdout, stderr } = await runCli(['run', ...paths, '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const ops: { name: string; status: string }[] = JSON.parse(stdout).ops;
    expect(ops.map((op) => `${op.name}: ${op.status}`)).toEqual([
      'top-level await: pass',
      'await inside a call: pass',
      `${pathToFileURL(join(dir, 'meta.ts')).href}: pass`,
    ]);
  });
});
