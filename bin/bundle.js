// @ts-check
// The build (`npm run build`; `npm install` in a clone runs it as `prepare`, `npm pack` as `prepack`),
// not a command. Writes dist/:
//
// 1. every module of src/ as JavaScript, transpiled by esbuild file by file (no type check: `npm
//    test` type-checks; transpiling the ~80 files takes a fraction of a second where `tsc` took 4–6 s
//    of CPU, most of what `npm install` spent building);
// 2. dist/cli/main.bundle.js, which bin/gradcheck.js starts from. Loading the ~35 modules of the CLI,
//    its reporters, commander, chalk and cli-table3 one by one costs 87 ms of CPU on every start
//    (measured on Node 20, this repository's 2-core machine); the one bundled file costs 35 ms;
// 3. with --declarations, the .d.ts files (tsc, declarations only, unchecked): only a tarball needs
//    them, so `npm pack` and `npm publish` (prepack) write them, and so does the install npm runs in
//    a git dependency's clone, which it packs without prepack; a clone's own `npm install` does not;
// 4. dist/build-stamp, last: bin/built.js compares it with the sources.
//
// The library stays outside the bundle: an op file (or gradcheck.config.ts) imports 'gradcheck',
// which resolves to dist/index.js, and its Tensor class, op registry and checker must be the very
// modules the CLI uses, not bundled copies. So every module that dist/index.js, dist/load/runtime.js
// or dist/run/start-worker.js reaches (start-worker.js holds the worker that bin/gradcheck.js
// prestarts) is left as an import of the file in dist/, rewritten relative to the bundle; so is
// every dynamic import, which stays lazy.
//
// --if-stale (prepare) builds only when dist/ is older than the sources or this build. npm runs
// prepare again right after prepack, on a reinstall of a built clone, and on the first `npx
// gradcheck` in a clone (npm links the project's own bin through its npx cache, which runs the
// linked package's prepare): that rebuild was most of the 6–11 s of a fresh clone's first run.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtIsCurrent } from './built.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = resolve(root, 'src');
const dist = resolve(root, 'dist');
const outfile = resolve(dist, 'cli/main.bundle.js');
const args = process.argv.slice(2);
// npm (its pacote) sets _PACOTE_NO_PREPARE_ for the install it runs in a git dependency's clone (see 3.).
const declarations = args.includes('--declarations') || process.env._PACOTE_NO_PREPARE_ !== undefined;

if (args.includes('--if-stale') && isCurrent()) process.exit(0);

rmSync(dist, { recursive: true, force: true });
await transpile();
await bundleCli();
if (declarations) {
  execFileSync(process.execPath, [resolve(root, 'node_modules/typescript/bin/tsc'), '-p', resolve(root, 'tsconfig.build.json')], { stdio: 'inherit' });
}
writeFileSync(resolve(dist, 'build-stamp'), new Date().toISOString());

/** dist/ is as new as the sources and this build, and holds declarations if they are wanted. */
function isCurrent() {
  const stamp = resolve(dist, 'build-stamp');
  if (!builtIsCurrent() || (declarations && !existsSync(resolve(dist, 'index.d.ts')))) return false;
  const builtAt = statSync(stamp).mtimeMs;
  return [fileURLToPath(import.meta.url), resolve(root, 'tsconfig.build.json')].every((file) => statSync(file).mtimeMs <= builtAt);
}

/** src/ file by file into dist/, the relative imports of .ts files pointed at the .js ones. */
async function transpile() {
  const entryPoints = readdirSync(src, { recursive: true, encoding: 'utf8' })
    .filter((path) => /\.(ts|js)$/.test(path) && !path.endsWith('.d.ts'))
    .map((path) => resolve(src, path));
  const { outputFiles } = await build({ entryPoints, outdir: dist, outbase: src, write: false, bundle: false, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning' });
  for (const file of outputFiles) {
    mkdirSync(dirname(file.path), { recursive: true });
    // What tsc's rewriteRelativeImportExtensions does: static imports and exports, and import() of a string.
    writeFileSync(file.path, file.text.replace(/(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)"(\.\.?\/[^"]*)\.ts"/g, '$1"$2.js"'));
  }
}

/** The CLI's main thread as one file, the library's modules left as imports of dist/. */
async function bundleCli() {
  // Pass 1: the library's own module set, as esbuild resolves it.
  const library = await build({
    entryPoints: ['index.js', 'load/runtime.js', 'run/start-worker.js'].map((entry) => resolve(dist, entry)),
    bundle: true,
    write: false,
    outdir: resolve(dist, 'unused'),
    platform: 'node',
    format: 'esm',
    packages: 'external',
    metafile: true,
    logLevel: 'warning',
  });
  const libraryFiles = new Set(Object.keys(library.metafile.inputs).map((input) => resolve(root, input)));

  // Pass 2: the CLI, with the library's files as external imports.
  await build({
    entryPoints: [resolve(dist, 'cli/main.js')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    // Bundled CommonJS packages (commander, cli-table3) call require.
    banner: { js: "import { createRequire as __bundleRequire } from 'node:module';\nconst require = __bundleRequire(import.meta.url);" },
    plugins: [
      {
        name: 'library-stays-external',
        setup(builder) {
          builder.onResolve({ filter: /^\.\.?\// }, (args) => {
            const target = resolve(args.resolveDir, args.path);
            // A dynamic import is loaded only by the command that needs it (sweep's checker, list's loader).
            if (!libraryFiles.has(target) && args.kind !== 'dynamic-import') return undefined;
            return { path: `./${relative(dirname(outfile), target)}`.replace(/^\.\/\.\.\//, '../'), external: true };
          });
        },
      },
    ],
  });
}
