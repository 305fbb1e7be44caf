// The README and docs/ as a user meets them: the README stays a front page (its first lines the two
// set-up commands CI runs), every link between the docs leads somewhere, every op-file example in
// them passes through the real CLI, every config example loads, and the GitHub workflows' gradcheck
// commands run as written in a project made of the README's first op file.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { basename, dirname, join, resolve } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, REPO, runCli } from './helpers/cli.ts';

const DOCS = ['README.md', ...readdirSync(join(REPO, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];
const read = (doc: string) => readFileSync(join(REPO, doc), 'utf8');

interface Block {
  lang: string;
  code: string;
}

/** The fenced code blocks of a Markdown text, indented ones (in a list item) dedented. */
function blocks(markdown: string): Block[] {
  return [...markdown.matchAll(/^( *)```(\w*)\n([\s\S]*?)^\1```/gm)].map((match) => ({
    lang: match[2],
    code: match[3].replace(new RegExp(`^ {0,${match[1].length}}`, 'gm'), ''),
  }));
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchors(markdown: string): Set<string> {
  const withoutCode = markdown.replace(/^```[\s\S]*?^```/gm, '');
  return new Set([...withoutCode.matchAll(/^#{1,6} (.+)$/gm)].map((match) => slug(match[1])));
}

describe('the README as a front page', () => {
  it('is at most 250 lines, its first lines the two set-up commands .ci/run relies on', () => {
    const readme = read('README.md');
    expect(readme.split('\n').length).toBeLessThanOrEqual(250);
    expect(readme.split('\n').slice(0, 4)).toEqual([
      '```sh',
      'npm install && npx gradcheck run examples/*.ts     # check the bundled example ops: all pass, exit 0',
      'npm test                                           # type-check and run the project\'s own tests',
      '```',
    ]);
    expect(read('.ci/run')).toMatch(/^npm test$/m);
    for (const section of ['## Install in a project', 'npm i -D gradcheck', '## In vitest', '## In CI', '## The tensor\'s ops', '## Documentation']) expect(readme).toContain(section);
  });

  it('has no broken link between the docs: every file and every anchor exists', () => {
    const broken: string[] = [];
    for (const doc of DOCS) {
      const text = read(doc).replace(/^```[\s\S]*?^```/gm, '');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        const [path, anchor] = target.split('#');
        const file = path === '' ? doc : join(dirname(doc), path);
        let content: string;
        try {
          content = read(file);
        } catch {
          broken.push(`${doc}: ${target} (no file ${file})`);
          continue;
        }
        if (anchor && file.endsWith('.md') && !anchors(content).has(anchor)) broken.push(`${doc}: ${target} (no heading #${anchor} in ${file})`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('links every guide in docs/ from the README', () => {
    const readme = read('README.md');
    for (const doc of DOCS.filter((name) => name !== 'README.md')) expect(readme, doc).toContain(`](${doc})`);
  });
});

/** Scratch folders inside the repository, so that an example's `@tensorflow/tfjs` resolves as a user's would. */
const scratchRoot = join(REPO, 'tmp');
const scratches: string[] = [];
function scratch(name: string): string {
  mkdirSync(scratchRoot, { recursive: true });
  const dir = mkdtempSync(join(scratchRoot, `${name}-`));
  scratches.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of scratches) rmSync(dir, { recursive: true, force: true });
});

/** An op-file example: a module that exports and imports gradcheck (or a sibling example), not a test file or another library. */
const isOpFile = (block: Block) =>
  block.lang === 'ts' && /^export /m.test(block.code) && /from '(gradcheck(\/\w+)?|\.\/[\w-]+\.ts)'/.test(block.code) && !/from '(vitest|js-pytorch)'/.test(block.code) && !/defineConfig\(/.test(block.code);
const isConfig = (block: Block) => block.lang === 'ts' && /export default defineConfig\(/.test(block.code);
/** The file an example names in its first line (`// ops/softplus.ts`), else a numbered one. */
const fileOf = (block: Block, index: number) => /^\/\/ (?:[\w-]+\/)*([\w.-]+\.ts)\b/.exec(block.code)?.[1] ?? `example-${index + 1}.ts`;

interface JsonOp {
  name: string;
  status: string;
}

describe('the examples in the docs, through the CLI', { concurrent: true, timeout: 180_000 }, () => {
  const withExamples = DOCS.filter((doc) => blocks(read(doc)).some(isOpFile));

  it('are found in the README and the guides', () => {
    expect(withExamples).toEqual(expect.arrayContaining(['README.md', 'docs/writing-ops.md', 'docs/engines.md']));
  });

  it.each(withExamples)('every op-file example of %s passes (an expected failure is parked, not failed)', async (doc) => {
    const dir = scratch(basename(doc, '.md'));
    const examples = blocks(read(doc)).filter(isOpFile);
    examples.forEach((block, index) => writeFileSync(join(dir, fileOf(block, index)), block.code));
    const { code, stdout, stderr } = await runCli(['run', dir, '--json']);
    const ops = JSON.parse(stdout).ops as JsonOp[];
    expect(ops.length, stderr).toBeGreaterThanOrEqual(examples.length - 1);
    expect(ops.filter((op) => op.status !== 'pass' && op.status !== 'skipped').map((op) => `${op.name}: ${op.status}`)).toEqual([]);
    expect(code).toBe(0);
  });

  it.each(DOCS.filter((doc) => blocks(read(doc)).some(isConfig)))('the config example of %s loads, and list honours it', async (doc) => {
    const dir = scratch('config');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    mkdirSync(join(dir, 'ops'));
    writeFileSync(join(dir, 'ops/softplus.ts'), blocks(read('README.md')).find(isOpFile)!.code);
    for (const block of blocks(read(doc)).filter(isConfig)) {
      writeFileSync(join(dir, 'gradcheck.config.ts'), block.code);
      const { code, stdout, stderr } = await runCli(['list'], { cwd: dir });
      expect(code, stderr).toBe(0);
      expect(stdout).toContain('softplus');
    }
  });
});

/** The `run:` commands of a workflow that call gradcheck, each matrix value substituted. */
function workflowCommands(yaml: string): string[] {
  const commands = [...yaml.matchAll(/run: (.*gradcheck.*)$/gm)].map((match) => match[1]);
  const matrix = /^ +(\w+): \[([^\]]+)\]$/m.exec(yaml);
  return commands.flatMap((command) => {
    if (!matrix || !command.includes(`\${{ matrix.${matrix[1]} }}`)) return [command];
    return matrix[2].split(',').map((value) => command.split(`\${{ matrix.${matrix[1]} }}`).join(value.trim()));
  });
}

/** A command line as a shell splits one without quotes or variables. */
const argv = (command: string) => command.trim().split(/\s+/);

function shell(command: string, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const [npx, gradcheck, ...args] = argv(command);
  expect([npx, gradcheck]).toEqual(['npx', 'gradcheck']);
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', GITHUB_STEP_SUMMARY: join(cwd, 'summary.md') } }, (error, stdout, stderr) =>
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe('the GitHub workflows', { concurrent: true, timeout: 180_000 }, () => {
  const workflows = DOCS.flatMap((doc) => blocks(read(doc)).filter((block) => block.lang === 'yaml').map((block) => ({ doc, yaml: block.code })));

  it('are in the README and in Reports and CI', () => {
    expect(workflows.map((workflow) => workflow.doc)).toEqual(expect.arrayContaining(['README.md', 'docs/reports-and-ci.md']));
  });

  it.each(workflows.map((workflow, index) => [`${workflow.doc} #${index + 1}`, workflow.yaml]))('%s: its gradcheck commands pass in a project made of the README\'s op file', async (_name, yaml) => {
    const dir = scratch('workflow');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    mkdirSync(join(dir, 'ops'));
    writeFileSync(join(dir, 'ops/softplus.ts'), blocks(read('README.md')).find(isOpFile)!.code);
    writeFileSync(join(dir, 'summary.md'), '');
    const commands = workflowCommands(yaml);
    expect(commands.length).toBeGreaterThan(0);
    const cases: string[] = [];
    for (const command of commands) {
      const { code, stderr } = await shell(command, dir);
      expect(code, `${command}\n${stderr}`).toBe(0);
      const junit = /--junit (\S+)/.exec(command)?.[1];
      if (!junit) continue;
      const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(resolve(dir, junit), 'utf8'));
      const suites = [parsed.testsuites.testsuite ?? []].flat() as { testcase: { name: string } | { name: string }[] }[];
      cases.push(...suites.flatMap((suite) => [suite.testcase].flat().map((test) => test.name)));
    }
    // Sharded or not, the workflow checks the README's two ops exactly once.
    expect(cases.sort()).toEqual(['softplus', 'weighted softplus']);
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toMatch(/^## gradcheck: /m);
  });
});

