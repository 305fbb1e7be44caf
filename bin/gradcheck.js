#!/usr/bin/env node
// @ts-check
// The CLI runs gradcheck's built JavaScript (dist/, from `npm run build`, which `npm install` runs)
// when the build is at least as new as every source file, and the TypeScript sources through tsx
// otherwise (a checkout edited since its last build), so an edit is never shadowed by a stale build.
// GRADCHECK_SOURCES=1 forces the sources. Compiling gradcheck's own ~40 modules on every start
// costs far more than checking a small op.
import { builtIsCurrent } from './built.js';

const built = process.env.GRADCHECK_SOURCES !== '1' && builtIsCurrent();
const code = new URL(built ? '../dist/' : '../src/', import.meta.url);
/** @param {string} path a module of the code that runs (dist/ or src/), relative to its root */
const load = (path) => import(new URL(path, code).href);
const command = process.argv[2];

// `run`, `sweep` and `list` import op files in a worker thread: starting it first overlaps its
// start-up with the CLI's.
if (['run', 'sweep', 'list'].includes(command)) (await load('run/start-worker.js')).prestartWorker();

// The TypeScript sources need tsx before anything of gradcheck loads. Built, nothing is set up
// here: op files and gradcheck.config.ts are imported only in the workers, which set up tsx for themselves.
if (!built) await (await load('load/runtime.js')).setupRuntime();
// Built, the CLI's own modules come as one bundle (bin/bundle.js says why).
const { main } = await load(built ? 'cli/main.bundle.js' : 'cli/main.ts');
process.exitCode = await main(process.argv);
