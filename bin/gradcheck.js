#!/usr/bin/env node
// The CLI runs gradcheck's built JavaScript (dist/, from `npm run build`, which `npm install` runs)
// when the build is at least as new as every source file, and the TypeScript sources through tsx
// otherwise (a checkout edited since its last build), so an edit is never shadowed by a stale build.
// GRADCHECK_SOURCES=1 forces the sources. Compiling gradcheck's own ~40 modules on every start
// costs far more than checking a small op.
import { builtIsCurrent } from './built.js';

const built = process.env.GRADCHECK_SOURCES !== '1' && builtIsCurrent();
const code = new URL(built ? '../dist/' : '../src/', import.meta.url);
const command = process.argv[2];

// `run`, `sweep` and `list` import op files in a worker thread: starting it first overlaps its
// start-up with the CLI's.
if (['run', 'sweep', 'list'].includes(command)) (await import(new URL('run/start-worker.js', code))).prestartWorker();

// The TypeScript sources need tsx before anything of gradcheck loads. Built, nothing is set up
// here: op files are imported only in the workers, which set up tsx for themselves.
if (!built) await (await import(new URL('load/runtime.js', code))).setupRuntime();
// Built, the CLI's own modules come as one bundle (bin/bundle.js says why).
const { main } = await import(new URL(built ? 'cli/main.bundle.js' : 'cli/main.ts', code));
// A gradcheck.config.ts is imported as an ES module, which needs the module hooks; set up after the
// CLI's modules have loaded, so that the hooks never see those.
if (built && (await import(new URL('cli/config.js', code))).findConfig() !== undefined) {
  await (await import(new URL('load/runtime.js', code))).setupRuntime();
}
process.exitCode = await main(process.argv);
