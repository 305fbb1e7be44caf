#!/usr/bin/env node
import { setupRuntime } from '../src/runtime.js';
import { prestartWorker } from '../src/worker.js';

// `run` checks op files in a worker thread: starting it first overlaps its start-up with the CLI's.
if (process.argv[2] === 'run') prestartWorker();

await setupRuntime();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
