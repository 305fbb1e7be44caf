// gradcheck.config.ts: project settings for the CLI, found in the nearest folder upwards from the
// current one, up to the project's root. What it may say and how that is checked, key by key from
// one table; the file itself is imported in a worker thread, like an op file (config-file.ts, run by
// the isolated runner), so nothing it does can stop or corrupt the run.
//
//   import { defineConfig } from 'gradcheck';
//   export default defineConfig({ include: ['ops/**/*.ts'], tolerance: 1e-6, ops: { 'tfjs *': { expect: 'fail' } } });
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AD_MODES, METHODS, MODES, REPORTERS } from '../model/defaults.ts';
import { show } from '../spec/show.ts';
import { unknownKeyMessage } from '../spec/keys.ts';
import type { CheckOptions } from '../model/options.ts';
import type { ReporterName } from '../model/defaults.ts';
import { patternError } from '../model/selection.ts';

/** What the config may set for the ops whose names match a pattern; these win over the run's settings (an op's own spec wins over them). */
export interface OpOverrides {
  tolerance?: number;
  nondetTolerance?: number;
  eps?: number[];
  method?: NonNullable<CheckOptions['method']>;
  mode?: NonNullable<CheckOptions['mode']>;
  order?: 1 | 2;
  ad?: NonNullable<CheckOptions['ad']>;
  replayRandom?: boolean;
  /** true: the default number of points; a number: that many; false: none beyond a plain run's. */
  explore?: number | boolean;
  /** Not checked: reported as skipped, with this reason. */
  skip?: string | boolean;
  /** 'fail': a known failure, parked as vitest's it.fails parks a test. */
  expect?: 'fail' | 'pass';
}

/** A reporter, or a reporter with the file it writes to (`['junit', { outputFile: 'reports/junit.xml' }]`). */
export type ReporterConfig = ReporterName | [ReporterName, { outputFile?: string }];

export interface GradcheckConfig extends Omit<OpOverrides, 'skip' | 'expect'> {
  /** Op files, directories or globs to check when the command line names none, relative to the config's folder. */
  include?: string[];
  /** The older name of `include`. */
  files?: string[];
  /** Globs of files never to check (relative to the config's folder), even in a folder or glob named. */
  exclude?: string[];
  seed?: number;
  /** Milliseconds an op, or a file's import, may run (0: no limit). */
  timeout?: number;
  /** Heap limit of the worker running the ops, in MB. */
  maxMemory?: number;
  /** Threads of the element-wise check (as GRADCHECK_THREADS; 1 keeps every check on one thread). */
  threads?: number;
  reporters?: ReporterConfig[];
  /** Where reporters write: one path (for the one reporter named), or a path per reporter: `{ junit: 'reports/junit.xml' }`. */
  outputFile?: string | Partial<Record<ReporterName, string>>;
  /** Stop after this many failing ops (true: after the first). */
  bail?: number | boolean;
  /** A run that finds no op passes (exit 0) instead of failing (exit 2). */
  passWithNoOps?: boolean;
  /** Settings for the ops whose names match each pattern (a name, a wildcard such as 'tfjs *', or /regex/). */
  ops?: Record<string, OpOverrides>;
}

/** The config as written, typed: `export default defineConfig({ … })`. */
export function defineConfig(config: GradcheckConfig): GradcheckConfig {
  return config;
}

export const CONFIG_FILES = ['gradcheck.config.ts', 'gradcheck.config.mts', 'gradcheck.config.js', 'gradcheck.config.mjs'];

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** A folder that is a project's root: the search for a config stops there. */
function isProjectRoot(dir: string): boolean {
  return existsSync(join(dir, 'package.json')) || existsSync(join(dir, '.git'));
}

/**
 * The config file in `dir` or the nearest folder above it, up to the project's root (the nearest
 * folder with a package.json or a .git), so that `gradcheck run` in a subfolder uses the project's.
 */
export function findConfig(dir = process.cwd()): string | undefined {
  for (let at = dir; ; at = dirname(at)) {
    const found = CONFIG_FILES.map((name) => join(at, name)).find((path) => existsSync(path));
    if (found) return found;
    if (isProjectRoot(at) || dirname(at) === at) return undefined;
  }
}

/** The project's root as shards name files from it: the config's folder, else the nearest folder with a package.json or .git, else `dir`. */
export function projectRoot(dir = process.cwd(), configPath?: string): string {
  if (configPath) return dirname(configPath);
  for (let at = dir; ; at = dirname(at)) {
    if (isProjectRoot(at)) return at;
    if (dirname(at) === at) return dir;
  }
}

type Fail = (message: string) => never;
/** Checks one key's value (`key` as the message names it) and returns it as the config keeps it. */
type Check = (value: unknown, key: string, fail: Fail) => unknown;

const positive = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v > 0;
const oneOf =
  (choices: readonly unknown[]): Check =>
  (value, key, fail) =>
    choices.includes(value) ? value : fail(`${key} must be one of ${choices.map((c) => show(c)).join(', ')}, got ${show(value)}`);
const positiveNumber: Check = (value, key, fail) => (positive(value) ? value : fail(`${key} must be a positive finite number, got ${show(value)}`));
const boolean: Check = (value, key, fail) => (typeof value === 'boolean' ? value : fail(`${key} must be true or false, got ${show(value)}`));
const wholeNumber =
  (min: number, what: string): Check =>
  (value, key, fail) =>
    typeof value === 'number' && Number.isInteger(value) && value >= min ? value : fail(`${key} must be ${what}, got ${show(value)}`);
const paths: Check = (value, key, fail) => {
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value) || !value.every((f) => typeof f === 'string' && f !== '')) fail(`${key} must be an array of paths or globs, got ${show(value)}`);
  return [...(value as string[])];
};

/** What the config may set for matching ops, checked as its top-level keys are. */
const OVERRIDE_CHECKS: Record<keyof OpOverrides, Check> = {
  tolerance: positiveNumber,
  nondetTolerance: positiveNumber,
  eps: (value, key, fail) => {
    if (!Array.isArray(value) || value.length === 0 || !value.every(positive)) fail(`${key} must be a non-empty array of positive finite numbers, got ${show(value)}`);
    return [...(value as number[])];
  },
  method: oneOf(METHODS),
  mode: oneOf(MODES),
  order: oneOf([1, 2]),
  ad: oneOf(AD_MODES),
  replayRandom: boolean,
  explore: (value, key, fail) => (typeof value === 'boolean' || (typeof value === 'number' && Number.isInteger(value) && value >= 0) ? value : fail(`${key} must be true, false or a whole number of points, got ${show(value)}`)),
  skip: (value, key, fail) => (typeof value === 'boolean' || (typeof value === 'string' && value.trim() !== '') ? value : fail(`${key} must be a reason (a non-empty string) or true, got ${show(value)}`)),
  expect: oneOf(['fail', 'pass']),
};

const { skip: _skip, expect: _expect, ...RUN_CHECKS } = OVERRIDE_CHECKS;

const CONFIG_CHECKS: Record<keyof GradcheckConfig, Check> = {
  include: paths,
  files: paths,
  exclude: paths,
  ...RUN_CHECKS,
  seed: (value, key, fail) => (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff ? value : fail(`${key} must be an integer from 0 to 4294967295, got ${show(value)}`)),
  timeout: wholeNumber(0, 'a whole number of milliseconds (0: no limit)'),
  maxMemory: wholeNumber(16, 'a whole number of megabytes, at least 16'),
  threads: wholeNumber(1, 'a whole number of threads, at least 1'),
  reporters: (value, key, fail) => {
    if (!Array.isArray(value)) fail(`${key} must be an array such as ['table', ['junit', { outputFile: 'reports/junit.xml' }]], got ${show(value)}`);
    return (value as unknown[]).map((entry, i) => reporterEntry(entry, `${key}[${i}]`, fail));
  },
  outputFile: (value, key, fail) => {
    if (typeof value === 'string' && value !== '') return value;
    const files = record(value, key, fail, 'a path, or an object of paths by reporter');
    for (const [name, path] of Object.entries(files)) {
      if (!(REPORTERS as readonly string[]).includes(name)) fail(`${key}: ${unknownKeyMessage(name, REPORTERS, 'outputFile')}`);
      if (typeof path !== 'string' || path === '') fail(`${key}.${name} must be a path, got ${show(path)}`);
    }
    return { ...files };
  },
  bail: (value, key, fail) => (value === true || value === false || (typeof value === 'number' && Number.isInteger(value) && value >= 1) ? value : fail(`${key} must be true or a whole number of failures, at least 1, got ${show(value)}`)),
  passWithNoOps: boolean,
  ops: (value, key, fail) => {
    const patterns = record(value, key, fail, "an object of settings by op name or pattern, such as { 'tfjs *': { expect: 'fail' } }");
    return Object.fromEntries(
      Object.entries(patterns).map(([pattern, overrides]) => {
        const bad = patternError(pattern);
        if (bad) fail(`${key}: ${bad}`);
        return [pattern, checkKeys(overrides, `${key}['${pattern}']`, OVERRIDE_CHECKS, 'an op override', fail)];
      }),
    );
  },
};

function record(value: unknown, key: string, fail: Fail, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(`${key} must be ${what}, got ${show(value)}`);
  return value as Record<string, unknown>;
}

function reporterEntry(entry: unknown, key: string, fail: Fail): ReporterConfig {
  const name = Array.isArray(entry) ? entry[0] : entry;
  if (!(REPORTERS as readonly unknown[]).includes(name)) fail(`${key} must name a reporter (${REPORTERS.join(', ')}), got ${show(name)}`);
  if (!Array.isArray(entry)) return name as ReporterName;
  if (entry.length > 2) fail(`${key} must be a name or [name, { outputFile }], got ${show(entry)}`);
  const options = checkKeys(entry[1] ?? {}, `${key}[1]`, { outputFile: (v, k, f) => (typeof v === 'string' && v !== '' ? v : f(`${k} must be a path, got ${show(v)}`)) }, 'a reporter', fail);
  return [name as ReporterName, options as { outputFile?: string }];
}

/** `value`'s keys checked against `checks`: an unknown one is named (with the key it is closest to). */
function checkKeys(value: unknown, where: string, checks: Record<string, Check>, what: string, fail: Fail): Record<string, unknown> {
  const raw = record(value, where, fail, `an object (${what})`);
  const known = Object.keys(checks);
  const checked: Record<string, unknown> = {};
  for (const key of Object.keys(raw)) {
    if (!known.includes(key)) fail(`${where === '' ? '' : `${where}: `}${unknownKeyMessage(key, known, what)}`);
    if (raw[key] !== undefined) checked[key] = checks[key](raw[key], where === '' ? key : `${where}.${key}`, fail);
  }
  return checked;
}

/** The config a file's default export describes; a ConfigError naming `path` for anything else. */
export function validateConfig(value: unknown, path: string): GradcheckConfig {
  const fail: Fail = (message) => {
    throw new ConfigError(`${path}: ${message}`);
  };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail('the default export must be an object such as defineConfig({ tolerance: 1e-7 })');
  const config = checkKeys(value, '', CONFIG_CHECKS, 'the config', fail) as GradcheckConfig;
  if (config.include && config.files) fail("include and files say the same (files is include's older name): keep include");
  return config;
}

/** The per-op settings of a config as an ordered list: later patterns win where several match. */
export function overridesOf(config: GradcheckConfig): ({ pattern: string } & OpOverrides)[] {
  return Object.entries(config.ops ?? {}).map(([pattern, overrides]) => ({ pattern, ...overrides }));
}
