// The packed tarball, installed into a fresh project, used the way a user would: `npx gradcheck run`,
// a real vitest run of a test file that imports the matcher, tfjs from plain Node, and tsc over the
// published types, the README's vitest example among them as written. Slow (npm pack builds dist/,
// npm install runs), so it is this one file.
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.ts';

const FIXTURES = join(REPO, 'test/fixtures/packaged');
const npmVersion = (() => {
  try {
    return execFileSync('npm', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
})();
if (!npmVersion) console.log('skipping the packaged-install test: npm is not available on PATH');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string): Promise<Result> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', CI: 'true' }, timeout: 300_000, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** The README's vitest example, verbatim: the first TypeScript block after **Vitest.** */
function readmeVitestExample(): string {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const example = /\*\*Vitest\.\*\*[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!example) throw new Error("README.md has no TypeScript block after '**Vitest.**'");
  return example;
}

/** The README's config example, verbatim: the TypeScript block that calls defineConfig. */
function readmeConfigExample(): string {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const example = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]).find((code) => code.includes('export default defineConfig('));
  if (!example) throw new Error('README.md has no config example (export default defineConfig(...))');
  return example;
}

/** The gradcheck commands of the README's GitHub workflow, as CI runs them. */
function readmeWorkflowCommands(): string[] {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const workflow = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!workflow) throw new Error('README.md has no workflow (a yaml block)');
  return [...workflow.matchAll(/run: (npx gradcheck .*)$/gm)].map((match) => match[1]);
}

/** The version the repo itself installed, so that npm finds it in its cache. */
function installedVersion(name: string): string {
  return (JSON.parse(readFileSync(join(REPO, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

describe.skipIf(!npmVersion)('the packed package, installed in a fresh project', { concurrent: true }, () => {
  let project = '';

  beforeAll(async () => {
    const root = mkdtempSync(join(tmpdir(), 'gradcheck-pack-'));
    project = join(root, 'project');
    const packed = await run('npm', ['pack', '--pack-destination', root], REPO);
    expect(packed.code, packed.stderr).toBe(0);
    const tarball = readdirSync(root).find((name) => name.endsWith('.tgz'));
    expect(tarball).toBeDefined();

    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    // Node's types from this repo's install (one package fewer to install); everything else from the project's.
    const compilerOptions = { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: ['node'], typeRoots: [join(REPO, 'node_modules/@types')] };
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions }));
    // The README's example first in the program, the other import order beside it: the order in which
    // tsc meets 'gradcheck/vitest' and 'vitest' decided whether the matcher's type existed at all.
    const orders = ['readme.test.ts', 'matcher.test.ts'];
    writeFileSync(join(project, 'tsconfig.readme.json'), JSON.stringify({ compilerOptions, files: orders }));
    writeFileSync(join(project, 'tsconfig.bundler.json'), JSON.stringify({ compilerOptions: { ...compilerOptions, module: 'preserve', moduleResolution: 'bundler' }, files: orders }));
    writeFileSync(join(project, 'readme.test.ts'), readmeVitestExample());
    mkdirSync(join(project, 'ops'));
    copyFileSync(join(REPO, 'examples/mlp.ts'), join(project, 'ops/mlp.ts'));
    copyFileSync(join(FIXTURES, 'ops.ts'), join(project, 'ops.ts'));
    copyFileSync(join(FIXTURES, 'matcher.fixture.ts'), join(project, 'matcher.test.ts'));
    copyFileSync(join(FIXTURES, 'types.fixture.ts'), join(project, 'types.ts'));
    copyFileSync(join(FIXTURES, 'plain-node.mjs'), join(project, 'plain-node.mjs'));
    // The README's config as written: defineConfig imported from the installed package, type-checked by tsc below.
    writeFileSync(join(project, 'gradcheck.config.ts'), readmeConfigExample());
    const dependencies = ['vitest', '@tensorflow/tfjs'].map((name) => `${name}@${installedVersion(name)}`);
    const installed = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(root, tarball!), ...dependencies], project);
    expect(installed.code, installed.stderr).toBe(0);
    return () => rmSync(root, { recursive: true, force: true });
  }, 600_000);

  it('npx gradcheck run checks an op file there, a tfjs op included', async () => {
    const { code, stdout, stderr } = await run('npx', ['gradcheck', 'run', 'ops.ts', '--json'], project);
    expect(code, stderr).toBe(0);
    const report = JSON.parse(stdout) as { ops: { name: string; status: string; precision: string; tolerance: number }[] };
    expect(report.ops.map((op) => [op.name, op.status, op.precision])).toEqual([
      ['tanh', 'pass', 'float64'],
      ['tfjs softmax', 'pass', 'float32'],
    ]);
    expect(report.ops[1].tolerance).toBe(1e-4);
  }, 120_000);

  it("the README's config (defineConfig from 'gradcheck') loads: a run with no paths checks its include and writes its JUnit file, folders made", async () => {
    const { code, stdout, stderr } = await run('npx', ['gradcheck', 'run'], project);
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/ PASS {2}two-layer MLP {2}ops\/mlp\.ts:/);
    expect(readFileSync(join(project, 'reports/junit.xml'), 'utf8')).toContain('name="two-layer MLP"');
  }, 120_000);

  it("the README's GitHub workflow commands pass in the project, as CI runs them", async () => {
    const commands = readmeWorkflowCommands();
    expect(commands.length).toBeGreaterThan(0);
    for (const command of commands) {
      const [npx, ...args] = command.split(/\s+/);
      const { code, stdout, stderr } = await run(npx, args, project);
      expect(code, `${command}\n${stderr}`).toBe(0);
      expect(stdout).toContain('two-layer MLP');
    }
    expect(readFileSync(join(project, 'reports/gradcheck.xml'), 'utf8')).toContain('name="two-layer MLP"');
  }, 120_000);

  it('a vitest run of a test file importing gradcheck/vitest reports the failing op with its table', async () => {
    const { code, stdout, stderr } = await run('npx', ['vitest', 'run', 'matcher.test.ts'], project);
    const output = stdout + stderr;
    expect(code).toBe(1); // the fixture's third test fails on purpose
    expect(output).toMatch(/2 passed/);
    expect(output).toMatch(/1 failed/);
    expect(output).toContain("op 'broken tanh' failed gradcheck");
    expect(output).toMatch(/│ input │ shape │ best ε │ rel\. error │/);
    expect(output).toMatch(/FAIL\s+broken tanh\s+\S*matcher\.test\.ts:\d+/); // the op's location: the test file, not gradcheck's own
  }, 120_000);

  it('plain Node loads the built entry points (the torch-like and js-pytorch adapters too), gradcheck/tfjs catches a wrong tf.customGrad, checkFile loads a .ts op file', async () => {
    const { code, stdout, stderr } = await run('node', ['plain-node.mjs'], project);
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({
      status: 'fail',
      precision: 'float32',
      tolerance: 1e-4,
      file: ['tanh: pass', 'tfjs softmax: pass'],
      adapters: ['function', 'function'],
    });
  }, 120_000);

  it('the published types check: entry points, the matcher on Assertion, tfjsOp with the real tf, torchLikeOp and jsPytorchOp generic over the tensor type', async () => {
    const { code, stdout } = await run(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', '.'], project);
    expect(stdout).toBe('');
    expect(code).toBe(0);
  }, 120_000);

  it("the README's vitest example type-checks as written, first in the program beside the other import order (NodeNext and bundler), and passes", async () => {
    for (const config of ['tsconfig.readme.json', 'tsconfig.bundler.json']) {
      const { code, stdout } = await run(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', config], project);
      expect(stdout, config).toBe('');
      expect(code, config).toBe(0);
    }
    const { code, stdout, stderr } = await run('npx', ['vitest', 'run', 'readme.test.ts'], project);
    expect(code, stdout + stderr).toBe(0);
    expect(stdout).toMatch(/1 passed/);
  }, 120_000);
});
