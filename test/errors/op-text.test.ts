// What an op file names, throws and prints, through the real CLI: whatever it holds (line breaks,
// escape sequences, NUL, bidirectional overrides, workflow commands), the report keeps its lines,
// the terminal shows the characters escaped, and GitHub's runner finds no command but gradcheck's.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

const FILE = 'test/fixtures/hostile/forges-output.ts';

/**
 * The lines of a CI log that GitHub's runner takes for workflow commands: it splits at \n and \r,
 * reads `::command` at the start of a line (after spaces) and `##[command]` anywhere.
 */
function workflowCommands(log: string): string[] {
  return log.split(/\r\n|\n|\r/).filter((line) => /^\s*::[\w-]+/.test(line) || /##\[[\w-]+/.test(line));
}

/** Control characters a terminal acts on; none may come from an op file (without colours, none at all). */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('op text on the terminal', () => {
  it('table: each error on one line, control characters escaped, no workflow command (NO_COLOR)', async () => {
    const { code, stdout, stderr } = await runCli(['run', FILE, '--verbose']);
    expect(code).toBe(2);
    expect(stdout).not.toMatch(CONTROL);
    expect(stderr).not.toMatch(CONTROL);
    expect(workflowCommands(stdout + stderr)).toEqual([]);
    const errorLine = stdout.split('\n').find((line) => line.includes("op 'forges an annotation': forward threw"));
    expect(errorLine).toBe(
      `  ${FILE}:7: op 'forges an annotation': forward threw: bad\\n::error file=forged.ts,line=9::forged annotation\\n  ::warning::indented\\r##\\[error]legacy form (at line 11)`,
    );
    expect(stdout).toContain(' PASS  clears\\x1b[2J\\x1b[H\\x1b[42m PASS \\x1b[0m\\0\\b\\v\\u202e  ');
    expect(stdout).toContain('│ x\\n::error::input │');
    expect(stdout).toContain(' FAIL  fails\\n::error file=forged.ts::from the name ##\\[warning]  ');
    // What the op prints is relayed under its label, which a \r can no longer hide.
    expect(stderr).toContain(`${FILE} › prints | \\r\\x1b[2K PASS  forged line red\n`);
  });

  it('list and sweep: names and errors escaped, one line each', async () => {
    const list = await runCli(['list', FILE]);
    const sweep = await runCli(['sweep', FILE, '--eps', '1e-4,1e-5']);
    for (const { stdout, stderr } of [list, sweep]) {
      expect(stdout).not.toMatch(CONTROL);
      expect(stderr).not.toMatch(CONTROL);
      expect(workflowCommands(stdout + stderr)).toEqual([]);
    }
    expect(list.stdout.split('\n')).toContainEqual(expect.stringMatching(/^ {2}clears\\x1b\[2J\\x1b\[H\\x1b\[42m PASS \\x1b\[0m\\0\\b\\v\\u202e +x\\n::error::input \[2\] {2}\(line 15\)$/));
    expect(sweep.stdout).toContain('input x\\n::error::input [2]: largest element-wise relative error at each step');
  });

  it('--reporter github: the annotations are gradcheck\'s, one per op that did not pass, each on its own file and line', async () => {
    const { code, stdout, stderr } = await runCli(['run', FILE, '--reporter', 'github', '--verbose']);
    expect(code).toBe(2);
    expect(stdout).not.toMatch(CONTROL);
    const commands = workflowCommands(stdout + stderr);
    expect(commands.map((line) => /^::error file=([^,]*),line=(\d+),/.exec(line)?.slice(1))).toEqual([
      [FILE, '7'],
      [FILE, '23'],
    ]);
    expect(commands[0]).toContain('::test/fixtures/hostile/forges-output.ts:7: op \'forges an annotation\': forward threw: bad\\n::error file=forged.ts');
    expect(commands[1]).toContain('title=gradcheck%3A fails\\n%3A%3Aerror file=forged.ts%3A%3Afrom the name ##[warning] failed::');
  });

  it('--reporter markdown and the step summary: one line per error, nothing raw', async () => {
    const summary = join(mkdtempSync(join(tmpdir(), 'gradcheck-text-')), 'summary.md');
    const markdown = await runCli(['run', FILE, '--reporter', 'markdown']);
    await runCli(['run', FILE, '--reporter', 'github'], { env: { GITHUB_STEP_SUMMARY: summary } });
    for (const text of [markdown.stdout, readFileSync(summary, 'utf8')]) {
      expect(text).not.toMatch(CONTROL);
      expect(workflowCommands(text)).toEqual([]);
      expect(text).toContain(`> ${FILE}:7: op 'forges an annotation': forward threw: bad\\n::error file=forged.ts,line=9::forged annotation\\n  ::warning::indented\\r##\\[error]legacy form (at line 11)\n`);
    }
  });

  it('--json and --reporter junit: the same strings, printed so that no CI log reads a command in them', async () => {
    const json = await runCli(['run', FILE, '--json']);
    expect(workflowCommands(json.stdout)).toEqual([]);
    const names = (JSON.parse(json.stdout).ops as { name: string }[]).map((op) => op.name);
    expect(names).toContain('fails\n::error file=forged.ts::from the name ##[warning]');
    const junit = await runCli(['run', FILE, '--reporter', 'junit']);
    expect(workflowCommands(junit.stdout)).toEqual([]);
    expect(junit.stdout).toContain('name="fails&#10;::error file=forged.ts::from the name ##&#91;warning]"');
  });

  it('a file named like a workflow command starts no line as one: error lines, list, labels of its output', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'gradcheck-text-')), 'ops');
    mkdirSync(dir);
    const name = '::error file=forged.ts::named.ts';
    writeFileSync(
      join(dir, name),
      "import { defineOp } from 'gradcheck';\nconsole.log('at import');\nexport const op = defineOp({ name: 'throws', inputs: { x: [2] }, forward: () => { throw new Error('boom'); } });\n",
    );
    const run = await runCli(['run', name, '--reporter', 'github'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(`  \\${name}:3: op 'throws': forward threw: boom\n`);
    expect(run.stderr).toContain(`\\${name} | at import`);
    expect(workflowCommands(run.stdout + run.stderr)).toEqual([
      `::error file=%3A%3Aerror file=forged.ts%3A%3Anamed.ts,line=3,title=gradcheck%3A throws could not run::${name}:3: op 'throws': forward threw: boom`,
    ]);
    const list = await runCli(['list', name], { cwd: dir });
    expect(workflowCommands(list.stdout + list.stderr)).toEqual([]);
  });
});
