// gradcheck.config.ts: project defaults for the CLI, looked up in the current directory. What it
// may say and how that is checked; the file itself is imported in a worker thread, like an op file
// (config-file.ts, run by the isolated runner), so nothing it does can stop or corrupt the run.
//
//   export default { tolerance: 1e-6, eps: [1e-4, 1e-5, 1e-6], seed: 1, files: ['ops/**/*.ts'] };
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MODES } from '../model/defaults.ts';
import { show } from '../spec/show.ts';
import type { CheckOptions } from '../model/options.ts';

type Mode = NonNullable<CheckOptions['mode']>;

export interface GradcheckConfig {
  /** Largest relative error that passes. */
  tolerance?: number;
  /** Steps to sweep. */
  eps?: number[];
  seed?: number;
  /** How the numeric side is computed, passed on as `--mode`. */
  mode?: Mode;
  /** Op files, directories or globs to check when the command line names none (relative to the current directory, where the config is). */
  files?: string[];
}

export const CONFIG_FILES = ['gradcheck.config.ts', 'gradcheck.config.mts', 'gradcheck.config.js', 'gradcheck.config.mjs'];

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** The config file in `dir`, or undefined when there is none. */
export function findConfig(dir = process.cwd()): string | undefined {
  return CONFIG_FILES.map((name) => join(dir, name)).find((path) => existsSync(path));
}

/** The config a file's default export describes; a ConfigError naming `path` for anything else. */
export function validateConfig(value: unknown, path: string): GradcheckConfig {
  const fail = (message: string): never => {
    throw new ConfigError(`${path}: ${message}`);
  };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail('the default export must be an object such as { tolerance: 1e-7 }');
  const raw = value as Record<string, unknown>;
  const known = ['tolerance', 'eps', 'seed', 'mode', 'files'];
  for (const key of Object.keys(raw)) if (!known.includes(key)) fail(`unknown key '${key}' (known: ${known.join(', ')})`);
  const positive = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v > 0;
  const config: GradcheckConfig = {};
  if (raw.tolerance !== undefined) {
    if (!positive(raw.tolerance)) fail(`tolerance must be a positive finite number, got ${show(raw.tolerance)}`);
    config.tolerance = raw.tolerance as number;
  }
  if (raw.eps !== undefined) {
    if (!Array.isArray(raw.eps) || raw.eps.length === 0 || !raw.eps.every(positive)) fail(`eps must be a non-empty array of positive finite numbers, got ${show(raw.eps)}`);
    config.eps = [...(raw.eps as number[])];
  }
  if (raw.seed !== undefined) {
    const seed = raw.seed;
    if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) fail(`seed must be an integer from 0 to 4294967295, got ${show(seed)}`);
    config.seed = seed as number;
  }
  if (raw.mode !== undefined) {
    if (!(MODES as readonly string[]).includes(raw.mode as string)) fail(`mode must be one of ${MODES.join(', ')}, got ${show(raw.mode)}`);
    config.mode = raw.mode as Mode;
  }
  if (raw.files !== undefined) {
    if (!Array.isArray(raw.files) || !raw.files.every((f) => typeof f === 'string')) fail(`files must be an array of paths or globs, got ${show(raw.files)}`);
    config.files = [...(raw.files as string[])];
  }
  return config;
}
