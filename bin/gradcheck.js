#!/usr/bin/env node
import { setupRuntime } from '../src/runtime.js';

await setupRuntime();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
