// `gradcheck init [file]`: a commented op file to start from, which passes `gradcheck run` as written.
import { Command } from 'commander';
import { existsSync, writeFileSync } from 'node:fs';
import { makeFolders } from '../../report/files.ts';
import { dirname } from 'node:path';
import { EXIT, UsageError } from '../exit.ts';

export const DEFAULT_OP_FILE = 'my-op.ts';

export const OP_FILE_TEMPLATE = `// A gradcheck op file. Every export made with defineOp is checked by
//   npx gradcheck run ${'{file}'}
// which compares the analytic gradient (your backward) with centered finite differences.
import { customOp, defineOp } from 'gradcheck';

// A primitive with a hand-written backward: the code gradcheck is for.
// \`forward\` runs without recording a tape; \`backward\` receives the gradient of the output and
// { inputs, output }, and returns one gradient per input (null for an input with none).
const softplus = customOp({
  name: 'softplus',
  forward: (x) => x.exp().add(1).log(),
  // d/dx log(1 + eˣ) = eˣ / (1 + eˣ) = sigmoid(x)
  backward: (grad, { inputs: [x] }) => [grad.mul(x.sigmoid())],
});

// The op to check: named inputs and a forward built from tensor ops.
// An input written as a shape draws seeded standard-normal values; { shape, low, high } draws
// uniform values and { shape, values } fixes them (--seed changes the draw).
export default defineOp({
  name: 'softplus',
  inputs: { x: [4, 8] },
  forward: ({ x }) => softplus(x),
});

// The custom op inside a larger expression: the built-in ops (mul with broadcasting, sum) bring
// their own backwards, so any error the check finds here is softplus's.
export const weightedSoftplus = defineOp({
  name: 'weighted softplus',
  inputs: { x: [4, 8], w: { shape: [8], low: -1, high: 1 } },
  forward: ({ x, w }) => softplus(x).mul(w).sum(),
});
`;

export function initCommand(setExitCode: (code: number) => void): Command {
  return new Command('init')
    .description(`write a commented op file to start from (default ${DEFAULT_OP_FILE}); never overwrites`)
    .argument('[file]', 'where to write it', DEFAULT_OP_FILE)
    .action((file: string) => setExitCode(runInit(file)));
}

export function runInit(file: string): number {
  if (existsSync(file)) throw new UsageError(`${file} already exists; not overwriting it (name another file: gradcheck init other-op.ts)`);
  try {
    // `gradcheck init ops/first.ts` in a project without ops/ yet: the folder is the file's to make.
    makeFolders(dirname(file));
    writeFileSync(file, OP_FILE_TEMPLATE.replace('{file}', file), { flag: 'wx' });
  } catch (error) {
    // Node names the path when open fails, not when a write does (a full disk): said once, here.
    const why = (error as Error).message.replace(/, (open|write|mkdir) '.*'$/, ', $1');
    throw new Error(`cannot write ${file}: ${why}`);
  }
  process.stdout.write(`wrote ${file}\ncheck it with: npx gradcheck run ${file}\n`);
  return EXIT.pass;
}
