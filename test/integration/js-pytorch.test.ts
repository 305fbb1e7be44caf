// gradcheck/js-pytorch on the real js-pytorch 0.7.2 (npm "js-pytorch", float64), through the CLI: its
// right ops pass, its wrong gradients fail, and the ops made by a helper file are reported at the
// lines of the op file. js-pytorch is installed into a project of its own (tmp/, gitignored), never
// into this repo's node_modules or lock file; .ci/run installs it there, and a run without it (no
// network) skips these tests with the reason.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli } from '../helpers/cli.ts';
import { jsPytorchOp } from '../../src/adapters/js-pytorch.ts';
import type { JsPytorchLike, JsPytorchTensorLike } from '../../src/adapters/js-pytorch.ts';

const VERSION = '0.7.2';
/** Where .ci/run installs it, and where these tests look. */
const PROJECT = join(REPO, 'tmp', `js-pytorch-${VERSION}`);
const FIXTURES = join(REPO, 'test/fixtures/js-pytorch');

function run(command: string, args: string[], cwd: string, timeout = 300_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, timeout, maxBuffer: 64 << 20, env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr: stderr || (error?.message ?? '') });
    });
  });
}

const installedVersion = (): string | undefined => {
  const manifest = join(PROJECT, 'node_modules/js-pytorch/package.json');
  return existsSync(manifest) ? (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version : undefined;
};

/** js-pytorch in PROJECT, installed now if it is not there yet (its GPU dependency's build scripts skipped: js-pytorch loads it only for device 'gpu'); why not, else. */
async function installJsPytorch(): Promise<string | undefined> {
  if (installedVersion() === VERSION) return undefined;
  mkdirSync(PROJECT, { recursive: true });
  writeFileSync(join(PROJECT, 'package.json'), `${JSON.stringify({ name: 'js-pytorch-project', private: true, type: 'module' }, null, 2)}\n`);
  const installed = await run('npm', ['install', '--ignore-scripts', '--no-save', '--no-audit', '--no-fund', `js-pytorch@${VERSION}`], PROJECT);
  if (installed.code !== 0 || installedVersion() !== VERSION) {
    const reason = installed.stderr.split('\n').find((line) => /\S/.test(line) && !/complete log of this run/.test(line));
    return `npm install js-pytorch@${VERSION} failed: ${reason?.trim() ?? `exit ${installed.code}`}`;
  }
  return undefined;
}

const missing = await installJsPytorch();
if (missing) console.log(`skipping the js-pytorch tests: ${missing}`);
else for (const name of ['ops.ts', 'helpers.ts']) copyFileSync(join(FIXTURES, name), join(PROJECT, name));

/** The line of ops.ts that exports `name`. */
const lineOf = (name: string) =>
  readFileSync(join(FIXTURES, 'ops.ts'), 'utf8')
    .split('\n')
    .findIndex((text) => text.startsWith(`export const ${name} =`)) + 1;

interface JsonOp {
  name: string;
  status: string;
  line: number;
  error?: string;
  diagnoses: { code: string }[];
}

describe.skipIf(missing !== undefined)(`js-pytorch ${VERSION} through gradcheck/js-pytorch`, { concurrent: true }, () => {
  it('passes its right ops (matmul, elementwise, reductions, Softmax, Linear by its parameters, Dropout) and fails its wrong gradients', async () => {
    const { code, stdout } = await runCli(['run', 'ops.ts', '--json'], { cwd: PROJECT });
    expect(code).toBe(2); // an op whose backward throws is an error, which outranks the failures
    const ops = (JSON.parse(stdout) as { ops: JsonOp[] }).ops;
    expect(ops.map((op) => [op.name, op.status])).toEqual([
      ['matmul', 'pass'],
      ['batched matmul', 'pass'],
      ['elementwise: a·b + exp(a) / √b − log b', 'pass'],
      ['broadcast bias', 'pass'],
      ['sum over the last axis', 'pass'],
      ['mean over the first axis', 'pass'],
      ['variance over the last axis', 'pass'],
      ['Softmax', 'pass'],
      ['Linear, its parameters as inputs', 'pass'],
      ['Dropout(0.5)', 'pass'],
      ['CrossEntropyLoss', 'pass'],
      ['pow(3)', 'fail'],
      ['sum over the last axis, square input', 'fail'],
      ['Softmax, square input', 'fail'],
      ['mean(-1, keepdims) of a vector', 'fail'],
      ['sum over a middle axis', 'error'],
    ]);
    const byName = new Map(ops.map((op) => [op.name, op]));
    // The square input's gradient is the right one transposed: gradcheck says so.
    expect(byName.get('sum over the last axis, square input')!.diagnoses.map((d) => d.code)).toContain('transposed');
    expect(byName.get('sum over a middle axis')!.error).toMatch(/vjp threw: Shapes 2,4 and 3,4 not broadcastable/);
  });

  it('--reporter github: the ops made in helpers.ts are annotated at the lines of ops.ts that call the helpers', async () => {
    const { stdout } = await runCli(['run', 'ops.ts', '--reporter', 'github'], { cwd: PROJECT });
    const annotations = stdout
      .split('\n')
      .filter((line) => line.startsWith('::error'))
      .map((line) => /^::error file=([^,]*),line=(\d+),title=gradcheck%3A (.*?) (?:failed|could not run)::/.exec(line)?.slice(1));
    expect(annotations).toEqual([
      ['ops.ts', String(lineOf('cube')), 'pow(3)'],
      ['ops.ts', String(lineOf('sumSquare')), 'sum over the last axis%2C square input'],
      ['ops.ts', String(lineOf('softmaxSquare')), 'Softmax%2C square input'],
      ['ops.ts', String(lineOf('meanKeepdims')), 'mean(-1%2C keepdims) of a vector'],
      ['ops.ts', String(lineOf('sumMiddle')), 'sum over a middle axis'],
    ]);
    expect(stdout).toMatch(new RegExp(`PASS\\s+sum over the last axis\\s+ops\\.ts:${lineOf('sumRows')}\\b`));
  });

  it('jsPytorchOp takes the real torch namespace: the op files type-check against js-pytorch\'s own types', async () => {
    writeFileSync(
      join(PROJECT, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          allowImportingTsExtensions: true,
          types: ['node'],
          typeRoots: [join(REPO, 'node_modules/@types')],
          paths: { gradcheck: [join(REPO, 'src/index.ts')], 'gradcheck/*': [join(REPO, 'src/adapters/*.ts')] },
        },
        files: ['ops.ts', 'helpers.ts'],
      }),
    );
    const { code, stdout } = await run(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', '.'], PROJECT);
    expect(stdout).toBe('');
    expect(code).toBe(0);
  });
});

it('jsPytorchOp refuses something that is not js-pytorch\'s namespace, naming the op', () => {
  const notTorch = {} as JsPytorchLike<JsPytorchTensorLike>;
  expect(() => jsPytorchOp({ torch: notTorch, name: 'x', inputs: { x: [2] }, forward: ({ x }) => x })).toThrow(
    /jsPytorchOp 'x': `torch` must be js-pytorch's namespace \(import \{ torch \} from 'js-pytorch'\)/,
  );
});
