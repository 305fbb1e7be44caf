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

// `run` checks op files in a worker thread: starting it first overlaps its start-up with the CLI's.
if (command === 'run') (await import(new URL('worker.js', code))).prestartWorker();

// Built, `run` imports no op file on the main thread (the worker does, and sets up TypeScript
// support for itself); only a gradcheck.config.ts there needs it. Other commands import op files here.
const needsRuntime = !built || command !== 'run' || (await import(new URL('config.js', code))).findConfig() !== undefined;
if (needsRuntime) await (await import(new URL('runtime.js', code))).setupRuntime();
const { main } = await import(new URL(built ? 'cli/main.js' : 'cli/main.ts', code));
process.exitCode = await main(process.argv);

