// @ts-check
// Build step (`npm run build`, after tsc), not a command: bundles the CLI's main thread into
// dist/cli/main.bundle.js, which bin/gradcheck.js starts from. Loading the ~35 modules of the CLI,
// its reporters, commander, chalk and cli-table3 one by one costs 87 ms of CPU on every start
// (measured on Node 20, this repository's 2-core machine); the one bundled file costs 35 ms.
//
// The library stays outside the bundle: an op file (or gradcheck.config.ts) imports 'gradcheck',
// which resolves to dist/index.js, and its Tensor class, op registry and checker must be the very
// modules the CLI uses, not bundled copies. So every module that dist/index.js, dist/load/runtime.js
// or dist/run/start-worker.js reaches (start-worker.js holds the worker that bin/gradcheck.js
// prestarts) is left as an import of the file in dist/, rewritten relative to the bundle; so is
// every dynamic import, which stays lazy.
import { build } from 'esbuild';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = resolve(root, 'dist');
const outfile = resolve(dist, 'cli/main.bundle.js');

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
