// `--changed [ref]`: the op files a change since a git ref can affect, as vitest's --changed: those
// changed themselves, and those that import a changed file, directly or through other modules of the
// project. Imports are read from the source text (static import and export specifiers, import() and
// require() of a literal), which is what esbuild would follow without running anything; a module
// reached by a computed path is not seen. A changed package.json or gradcheck config affects every
// op file, as it can change what any of them does.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from './exit.ts';
import { CONFIG_FILES } from '../load/config.ts';

/** The files git sees as changed since `ref` (the working tree and the index against it), and untracked ones not ignored: absolute paths. */
export function changedSince(ref: string, cwd = process.cwd()): Set<string> {
  const git = (args: string[]) => {
    try {
      return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      const said = String((error as { stderr?: string }).stderr ?? (error as Error).message).trim().split('\n')[0];
      throw new UsageError(`--changed ${ref}: git ${args[0]} failed: ${said || (error as Error).message}`);
    }
  };
  const top = git(['rev-parse', '--show-toplevel']).trim();
  const lines = (text: string) => text.split('\n').filter(Boolean);
  // diff names files relative to the repository's top, ls-files relative to the current folder.
  return new Set([
    ...lines(git(['diff', '--name-only', '--no-renames', ref, '--'])).map((path) => join(top, path)),
    ...lines(git(['ls-files', '--others', '--exclude-standard'])).map((path) => resolve(cwd, path)),
  ]);
}

const TRIGGERS = new Set(['package.json', ...CONFIG_FILES]);

/** The op files among `files` (absolute paths) that `changed` affects: changed themselves, or importing a changed module. */
export function affectedFiles(files: readonly string[], changed: ReadonlySet<string>): Set<string> {
  if ([...changed].some((path) => TRIGGERS.has(basename(path)))) return new Set(files);
  const imports = new Map<string, string[]>();
  const reaches = new Map<string, boolean>();
  // Depth-first over the project's modules. A yes is remembered at once; a no only once no module
  // on the way is still open, since inside an import cycle the answer may come from further up.
  const visit = (file: string, trail: Set<string>): boolean => {
    const known = reaches.get(file);
    if (known !== undefined) return known;
    if (changed.has(file)) return remember(file, true);
    if (trail.has(file)) return false;
    trail.add(file);
    const found = importsOf(file, imports).some((target) => visit(target, trail));
    trail.delete(file);
    return found ? remember(file, true) : trail.size === 0 ? remember(file, false) : false;
  };
  const remember = (file: string, value: boolean) => {
    reaches.set(file, value);
    return value;
  };
  return new Set(files.filter((file) => visit(file, new Set())));
}

/** The project modules `file` imports, resolved as TypeScript resolves a relative specifier. */
function importsOf(file: string, cache: Map<string, string[]>): string[] {
  let found = cache.get(file);
  if (found) return found;
  let source = '';
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    // Gone or unreadable: it imports nothing that can be followed.
  }
  found = specifiers(source)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => resolveModule(dirname(file), specifier))
    .filter((target): target is string => target !== undefined);
  cache.set(file, found);
  return found;
}

const SPECIFIER = /(?:\bimport\s*(?:type\s+)?(?:[\w*${}\s,]+?\s*from\s*)?|\bexport\s*(?:type\s+)?[\w*${}\s,]*?\s*from\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)(['"])([^'"\n]+)\1/g;

/** The module specifiers a source text names in its imports, exports, import() and require(). */
export function specifiers(source: string): string[] {
  const text = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  return [...text.matchAll(SPECIFIER)].map((match) => match[2]);
}

const isFile = (path: string) => existsSync(path) && statSync(path).isFile();

function resolveModule(from: string, specifier: string): string | undefined {
  const target = resolve(from, specifier);
  const candidates = [target];
  const js = /\.([cm]?)js$/.exec(target);
  if (js) candidates.push(`${target.slice(0, -js[0].length)}.${js[1]}ts`, `${target.slice(0, -js[0].length)}.${js[1]}tsx`);
  for (const extension of ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json']) candidates.push(target + extension);
  for (const index of ['index.ts', 'index.js']) candidates.push(join(target, index));
  return candidates.find(isFile);
}
