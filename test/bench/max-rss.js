// Preloaded with `node --import`: prints the process's peak resident memory (KiB) on exit, to stderr.
import { resourceUsage } from 'node:process';

process.on('exit', () => process.stderr.write(`\nmaxRSS ${resourceUsage().maxRSS}\n`));
