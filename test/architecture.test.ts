// The layout rules the project adopted, checked on the sources as they are: few files at the top of
// src/, no import cycles but the tensor-method pattern, no function over 120 lines, and no
// hand-written .d.ts beside a .js file.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO } from './helpers/cli.ts';

const SRC = join(REPO, 'src');
const BIN = join(REPO, 'bin');

const MAX_TOP_LEVEL_FILES = 4;
const MAX_FUNCTION_LINES = 120;

/** Repository-relative path with forward slashes: what the failure messages name. */
const shown = (path: string) => relative(REPO, path).split('\\').join('/');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : entry.isFile() ? [path] : [];
  });
}

const isDeclaration = (path: string) => /\.d\.[cm]?ts$/.test(path);
/** The modules: TypeScript and JavaScript sources, not declaration files. */
const MODULES = filesUnder(SRC)
  .filter((path) => /\.[cm]?[tj]s$/.test(path) && !isDeclaration(path))
  .sort();

function parse(path: string): ts.SourceFile {
  const kind = /\.[cm]?js$/.test(path) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  return ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true, kind);
}
const SOURCES = new Map(MODULES.map((path) => [path, parse(path)]));

describe('src/ layout', () => {
  it(`has at most ${MAX_TOP_LEVEL_FILES} files directly in src/`, () => {
    const top = readdirSync(SRC, { withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => `src/${entry.name}`).sort();
    expect(top.length, `files directly in src/ (at most ${MAX_TOP_LEVEL_FILES}; move the rest into a folder): ${top.join(', ')}`).toBeLessThanOrEqual(MAX_TOP_LEVEL_FILES);
  });
});

// --- imports --------------------------------------------------------------------------------

interface Import {
  specifier: string;
  line: number;
}

/**
 * The relative modules a file loads at run time: `import … from`, `export … from`, `import x =
 * require()`, `require()` and `import()` with a literal specifier. Type-only imports are left out:
 * the compiler erases them, so they make no cycle when the code runs.
 */
function importsOf(source: ts.SourceFile): Import[] {
  const found: Import[] = [];
  const add = (literal: ts.Expression | undefined) => {
    if (literal && ts.isStringLiteralLike(literal) && literal.text.startsWith('.')) {
      found.push({ specifier: literal.text, line: source.getLineAndCharacterOfPosition(literal.getStart(source)).line + 1 });
    }
  };
  const typeOnlyImport = (node: ts.ImportDeclaration) => {
    const clause = node.importClause;
    if (!clause) return false; // `import './x.ts'` runs the module
    if (clause.isTypeOnly) return true;
    const bindings = clause.namedBindings;
    return !clause.name && bindings !== undefined && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
  };
  const typeOnlyExport = (node: ts.ExportDeclaration) =>
    node.isTypeOnly || (node.exportClause !== undefined && ts.isNamedExports(node.exportClause) && node.exportClause.elements.length > 0 && node.exportClause.elements.every((e) => e.isTypeOnly));
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) {
      if (!typeOnlyImport(node)) add(node.moduleSpecifier);
    } else if (ts.isExportDeclaration(node)) {
      if (!typeOnlyExport(node)) add(node.moduleSpecifier);
    } else if (ts.isImportEqualsDeclaration(node)) {
      if (!node.isTypeOnly && ts.isExternalModuleReference(node.moduleReference)) add(node.moduleReference.expression);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) add(node.arguments[0]);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const isFile = (path: string) => existsSync(path) && statSync(path).isFile();

/** Node's resolution for relative specifiers, plus TypeScript's: './x.js' may name x.ts. */
function resolveImport(from: string, specifier: string): string | undefined {
  const target = resolve(dirname(from), specifier);
  const candidates = [target];
  const js = /\.([cm]?)js$/.exec(target);
  if (js) candidates.push(`${target.slice(0, -js[0].length)}.${js[1]}ts`);
  if (!/\.[cm]?[tj]s$/.test(target)) candidates.push(`${target}.ts`, `${target}.js`, join(target, 'index.ts'), join(target, 'index.js'));
  return candidates.find(isFile);
}

type Graph = Map<string, string[]>;

/** The import graph of `sources`: an edge per relative import of one module by another. */
function importGraph(sources: Map<string, ts.SourceFile>): { graph: Graph; unresolved: string[] } {
  const graph: Graph = new Map();
  const unresolved: string[] = [];
  for (const [path, source] of sources) {
    const targets = new Set<string>();
    for (const { specifier, line } of importsOf(source)) {
      const target = resolveImport(path, specifier);
      if (target === undefined) unresolved.push(`${shown(path)}:${line} imports '${specifier}', which is no file`);
      else if (sources.has(target)) targets.add(target);
    }
    graph.set(path, [...targets].sort());
  }
  return { graph, unresolved };
}

/** One cycle per back edge of a depth-first search of `graph` without the node `skip`. */
function cyclesAvoiding(graph: Graph, skip: string): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (next === skip) continue;
      if (state.get(next) === 'open') cycles.push(stack.slice(stack.indexOf(next)));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (node !== skip && !state.has(node)) visit(node);
  return cycles;
}

/** A shortest path from one of `starts` to a node for which `isGoal` holds, avoiding `skip`. */
function pathBetween(graph: Graph, starts: string[], isGoal: (node: string) => boolean, skip: string): string[] | undefined {
  const previous = new Map<string, string | null>();
  const queue = starts.filter((start) => start !== skip);
  for (const start of queue) previous.set(start, null);
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head];
    if (isGoal(node)) {
      const path = [node];
      for (let at = previous.get(node); at; at = previous.get(at)) path.unshift(at);
      return path;
    }
    for (const next of graph.get(node) ?? []) {
      if (next !== skip && !previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return undefined;
}

/**
 * The cycles of `graph` other than the tensor-method pattern, each as `a → b → … → a`. An allowed
 * cycle runs through `tensor` and otherwise only through modules `inOps`; any other cycle either
 * avoids `tensor` (a cycle of the graph without it) or leaves `tensor` for a module outside the
 * ops and comes back to it.
 */
function forbiddenCycles(graph: Graph, tensor: string, inOps: (path: string) => boolean, name: (path: string) => string = shown): string[] {
  const text = (cycle: string[]) => [...cycle, cycle[0]].map(name).join(' → ');
  const found = new Set(cyclesAvoiding(graph, tensor).map(text));
  const successors = graph.get(tensor) ?? [];
  const importsTensor = (node: string) => (graph.get(node) ?? []).includes(tensor);
  for (const node of graph.keys()) {
    if (node === tensor || inOps(node)) continue;
    const there = pathBetween(graph, successors, (n) => n === node, tensor);
    const back = there && pathBetween(graph, [node], importsTensor, tensor);
    if (there && back) found.add(text([tensor, ...there, ...back.slice(1)]));
  }
  return [...found];
}

const TENSOR = join(SRC, 'core/tensor.ts');
const inSrcOps = (path: string) => path.startsWith(join(SRC, 'ops') + '/');
const SRC_IMPORTS = importGraph(SOURCES);

describe('imports in src/', () => {
  it('name files that exist (else the cycle check below would miss an edge)', () => {
    expect(SRC_IMPORTS.unresolved, 'relative imports that resolve to no file').toEqual([]);
  });

  it('form no cycle, except between src/core/tensor.ts and src/ops/* (the tensor-method pattern)', () => {
    expect(forbiddenCycles(SRC_IMPORTS.graph, TENSOR, inSrcOps), 'import cycles among src/ modules').toEqual([]);
  });
});

// --- layers -----------------------------------------------------------------------------------

/**
 * The layers of src/, lowest first. A module imports only from its own layer or those below it,
 * type-only imports included (a type from a higher layer is a dependency on it all the same).
 */
const LAYERS: readonly (readonly string[])[] = [
  ['core', 'ops'], // the tensor and its ops (the one cycle allowed above)
  ['spec'], // what an op file declares: defineOp, input specs, seeded draws
  ['model'], // the report model: result types, defaults, builders, words
  ['report'], // printers of the model
  ['load'], // importing op files and the config
  ['check'], // the checker
  ['run'], // the isolated run: scheduler and workers
  ['cli'], // the command line
  ['api.ts', 'index.ts'], // the library's entry points
  ['adapters'], // engines and test runners, on top of the library
];

/** Inside check/, the numeric core stands on nothing of the checker's: the modes and stages stand on it. */
const CHECK_NUMERIC = join(SRC, 'check', 'numeric');

function layerOf(path: string): number {
  const first = relative(SRC, path).split(/[\\/]/)[0];
  const layer = LAYERS.findIndex((names) => names.includes(first));
  if (layer < 0) throw new Error(`${shown(path)} is in no layer of LAYERS: add its folder there`);
  return layer;
}

/** Every relative import of `source`, type-only ones included. */
function allImportsOf(source: ts.SourceFile): Import[] {
  const found: Import[] = [];
  const visit = (node: ts.Node) => {
    const literal = ts.isImportDeclaration(node) || ts.isExportDeclaration(node) ? node.moduleSpecifier : ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require')) ? node.arguments[0] : undefined;
    if (literal && ts.isStringLiteralLike(literal) && literal.text.startsWith('.')) {
      found.push({ specifier: literal.text, line: source.getLineAndCharacterOfPosition(literal.getStart(source)).line + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Imports that run up the layers (or out of the numeric core into the rest of the checker). */
function upwardImports(sources: Map<string, ts.SourceFile>): string[] {
  const found: string[] = [];
  for (const [path, source] of sources) {
    for (const { specifier, line } of allImportsOf(source)) {
      const target = resolveImport(path, specifier);
      if (target === undefined || !target.startsWith(SRC)) continue;
      const [from, to] = [layerOf(path), layerOf(target)];
      if (to > from) found.push(`${shown(path)}:${line} (${LAYERS[from].join('/')}) imports ${shown(target)} (${LAYERS[to].join('/')}), a higher layer`);
      const leavesNumeric = path.startsWith(CHECK_NUMERIC + '/') && target.startsWith(join(SRC, 'check') + '/') && !target.startsWith(CHECK_NUMERIC + '/');
      if (leavesNumeric) found.push(`${shown(path)}:${line} imports ${shown(target)}: check/numeric/ must not depend on the rest of the checker`);
    }
  }
  return found.sort();
}

describe('layers of src/', () => {
  it('are respected: no module imports from a layer above its own', () => {
    expect(upwardImports(SOURCES), 'imports that run back up the layers').toEqual([]);
  });

  it('are each a folder that exists, so that the table above is not stale', () => {
    const missing = LAYERS.flat().filter((name) => !existsSync(join(SRC, name)));
    expect(missing).toEqual([]);
  });
});

describe('check/', () => {
  it('holds at most 10 files at its own root: the pipeline, its parts in folders', () => {
    const root = readdirSync(join(SRC, 'check'), { withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => entry.name);
    expect(root.length, `files directly in src/check/: ${root.join(', ')}`).toBeLessThanOrEqual(10);
  });
});

describe('the import checks themselves', () => {
  const file = (path: string, text: string) => ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, path.endsWith('.js') ? ts.ScriptKind.JS : ts.ScriptKind.TS);

  it('see static, re-exported, dynamic and required imports, and skip type-only ones', () => {
    const source = file(
      '/m/a.ts',
      [
        "import { b } from './b.ts';",
        "import {",
        "  c,",
        "} from './c.js';",
        "export { d } from './d.ts';",
        "export * from './e.ts';",
        "const f = await import('./f.ts');",
        "const g = require('./g.js');",
        "import './h.ts';",
        "import type { T } from './types.ts';",
        "import { type U } from './types2.ts';",
        "export type { V } from './types3.ts';",
        "import { type W, value } from './mixed.ts';",
        "import { readFileSync } from 'node:fs';",
      ].join('\n'),
    );
    expect(importsOf(source).map((i) => i.specifier)).toEqual(['./b.ts', './c.js', './d.ts', './e.ts', './f.ts', './g.js', './h.ts', './mixed.ts']);
  });

  it('resolve a .js specifier to the .js file, or to the .ts file TypeScript means by it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradcheck-architecture-'));
    mkdirSync(join(dir, 'core'));
    for (const name of ['a.ts', 'plain.js', 'typed.ts', 'core/index.ts']) writeFileSync(join(dir, name), '');
    const from = join(dir, 'a.ts');
    expect(resolveImport(from, './plain.js')).toBe(join(dir, 'plain.js'));
    expect(resolveImport(from, './typed.js')).toBe(join(dir, 'typed.ts'));
    expect(resolveImport(from, './typed.ts')).toBe(join(dir, 'typed.ts'));
    expect(resolveImport(from, './core')).toBe(join(dir, 'core/index.ts'));
    expect(resolveImport(from, './missing.js')).toBeUndefined();
  });

  it('allow only cycles through the tensor and the ops, and name every other cycle', () => {
    const graph = (edges: Record<string, string[]>): Graph => new Map(Object.entries(edges));
    const ops = (path: string) => path.startsWith('ops/');
    const cycles = (edges: Record<string, string[]>) => forbiddenCycles(graph(edges), 'tensor', ops, (path) => path);
    expect(cycles({ tensor: ['ops/add', 'ops/mul'], 'ops/add': ['tensor', 'shape'], 'ops/mul': ['tensor', 'ops/add'], shape: [] })).toEqual([]);
    expect(cycles({ a: ['b'], b: ['c'], c: ['a'] })).toEqual(['a → b → c → a']);
    expect(cycles({ 'ops/add': ['ops/mul'], 'ops/mul': ['ops/add'] })).toEqual(['ops/add → ops/mul → ops/add']);
    expect(cycles({ tensor: ['autograd'], autograd: ['tensor'] })).toEqual(['tensor → autograd → tensor']);
    expect(cycles({ tensor: ['ops/add'], 'ops/add': ['autograd'], autograd: ['tensor'] })).toEqual(['tensor → ops/add → autograd → tensor']);
  });

  it('see in src/ the tensor-method cycle the exception is for (once it is gone, drop the exception)', () => {
    const importedByTensor = (SRC_IMPORTS.graph.get(TENSOR) ?? []).filter(inSrcOps);
    expect(importedByTensor.length, 'src/core/tensor.ts imports src/ops/*').toBeGreaterThan(0);
    expect(importedByTensor.some((op) => SRC_IMPORTS.graph.get(op)?.includes(TENSOR)), 'an src/ops/* module imports src/core/tensor.ts').toBe(true);
  });
});

// --- function length --------------------------------------------------------------------------

type FunctionNode = ts.FunctionDeclaration | ts.MethodDeclaration | ts.ArrowFunction | ts.FunctionExpression | ts.ConstructorDeclaration | ts.AccessorDeclaration;

function isFunction(node: ts.Node): node is FunctionNode {
  return ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isConstructorDeclaration(node) || ts.isAccessor(node);
}

/** What a reader would call the function: its own name, or the name it is assigned to. */
function functionName(node: FunctionNode, source: ts.SourceFile): string {
  const nameText = (name: ts.Node | undefined) => (name && (ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteral(name)) ? name.text : undefined);
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const own = nameText(node.name);
  if (own) return own;
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) return nameText(parent.name) ?? '(anonymous)';
  if (ts.isExportAssignment(parent)) return 'default export';
  if (ts.isCallExpression(parent)) {
    const callee = parent.expression.getText(source);
    return `(${ts.isArrowFunction(node) ? 'arrow' : 'function'} passed to ${callee.length > 40 ? `${callee.slice(0, 40)}…` : callee})`;
  }
  return `(anonymous ${ts.isArrowFunction(node) ? 'arrow' : 'function'})`;
}

interface MeasuredFunction {
  file: string;
  name: string;
  line: number;
  lines: number;
}

function functionsOf(source: ts.SourceFile): MeasuredFunction[] {
  const found: MeasuredFunction[] = [];
  const visit = (node: ts.Node) => {
    if (isFunction(node)) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      found.push({ file: shown(source.fileName), name: functionName(node, source), line: first + 1, lines: last - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const FUNCTIONS = [...SOURCES.values()].flatMap(functionsOf);

describe('functions in src/', () => {
  it(`are at most ${MAX_FUNCTION_LINES} lines long`, () => {
    const long = FUNCTIONS.filter((f) => f.lines > MAX_FUNCTION_LINES).map((f) => `${f.file}:${f.line} ${f.name}: ${f.lines} lines`);
    expect(long, `functions longer than ${MAX_FUNCTION_LINES} lines (split them)`).toEqual([]);
  });

  it('are all found, whatever their form, each measured from its first line to its last', () => {
    const source = ts.createSourceFile(
      '/m/forms.js',
      [
        'export function declared(a) {', // 1
        '  const inner = (x) =>', // 2
        '    x + 1;', // 3
        '  return inner(a);', // 4
        '}', // 5
        'class Thing {', // 6
        '  constructor() { this.x = 1; }', // 7
        '  method() {', // 8
        '    return [1].map(function (v) { return v; });', // 9
        '  }', // 10
        '  get size() { return 1; }', // 11
        '}', // 12
        'const object = { property: function () {}, short: () => 0 };', // 13
        'export default () => {', // 14
        '};', // 15
      ].join('\n'),
      ts.ScriptTarget.Latest,
      true,
      ts.ScriptKind.JS,
    );
    expect(functionsOf(source).map(({ name, line, lines }) => [name, line, lines])).toEqual([
      ['declared', 1, 5],
      ['inner', 2, 2],
      ['constructor', 7, 1],
      ['method', 8, 3],
      ['(function passed to [1].map)', 9, 1],
      ['size', 11, 1],
      ['property', 13, 1],
      ['short', 13, 1],
      ['default export', 14, 2],
    ]);
  });
});

// --- declaration files ------------------------------------------------------------------------

describe('declaration files', () => {
  it('no hand-written .d.ts in src/ or bin/ beside a .js file of the same name', () => {
    const shims = [...filesUnder(SRC), ...filesUnder(BIN)]
      .filter((path) => path.endsWith('.d.ts') && isFile(`${path.slice(0, -'.d.ts'.length)}.js`))
      .map((path) => `${shown(path)} declares ${shown(path.slice(0, -'.d.ts'.length))}.js`)
      .sort();
    expect(shims, 'hand-written declarations beside JavaScript (write the module in TypeScript instead)').toEqual([]);
  });
});
