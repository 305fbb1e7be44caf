#!/usr/bin/env node
// `npm run bench`: gradcheck against torch.autograd.gradcheck on the same seven ops (see report.ts).
import { setupRuntime } from '../../src/load/runtime.js';

await setupRuntime();
const { main } = await import('./report.ts');
process.exitCode = await main(process.argv.slice(2));
