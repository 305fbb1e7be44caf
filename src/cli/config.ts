// gradcheck.config.ts as the CLI uses it: found in the nearest folder upwards, loaded in a worker
// thread (load/config.ts says what it may contain), and merged with the flags, which win over it.
// Its paths (include, exclude, output files) are relative to its own folder.
import { dirname } from 'node:path';
import { ConfigError, findConfig, overridesOf, projectRoot } from '../load/config.ts';
import type { GradcheckConfig } from '../load/config.ts';
import { loadConfigIsolated } from '../run/scheduler.ts';
import type { OpOverrideList } from '../run/plan.ts';
import { DEFAULT_EXPLORE_POINTS } from '../model/defaults.ts';
import type { CheckOptions } from '../model/options.ts';
import { absoluteGlob, selectFiles } from './select.ts';
import type { Selection } from './select.ts';
import { UsageError } from './exit.ts';

export { CONFIG_FILES, ConfigError, findConfig, validateConfig } from '../load/config.ts';
export type { GradcheckConfig } from '../load/config.ts';

/** A config as loaded: where it is (paths in it are relative to its folder), and what it says. */
export interface LoadedConfig {
  path?: string;
  /** The config's folder; the current one when there is no config. */
  dir: string;
  config: GradcheckConfig;
}

/**
 * The config in `dir` or the nearest folder above it (up to the project's root), imported in a
 * worker thread under `timeoutMs` (`--timeout`): a config that hangs, exits, throws or fails
 * validation is a ConfigError of one line that names it; so is one whose import `signal` stopped.
 */
export async function loadConfig(
  dir = process.cwd(),
  { timeoutMs, memoryMb, signal }: { timeoutMs?: number; memoryMb?: number; signal?: AbortSignal } = {},
): Promise<LoadedConfig> {
  const path = findConfig(dir);
  if (!path) return { dir, config: {} };
  const loaded = await loadConfigIsolated(path, { timeoutMs, memoryMb, signal });
  if ('error' in loaded) throw new ConfigError(loaded.error);
  return { path, dir: dirname(path), config: loaded.config };
}

/** The flags the config can supply (an absent flag is undefined: options.ts gives none a default). */
export interface ConfigurableFlags {
  tol?: number;
  eps?: number[];
  seed?: number;
  method?: CheckOptions['method'];
  order?: CheckOptions['order'];
  mode?: CheckOptions['mode'];
  ad?: CheckOptions['ad'];
  nondetTol?: number;
  replayRandom?: boolean;
  explore?: number | true;
  timeout?: number;
  maxMemory?: number;
  bail?: number | true;
  passWithNoOps?: boolean;
}

/** Flags given on the command line win over the config file's values. */
export function withConfig<T extends ConfigurableFlags>(flags: T, config: GradcheckConfig): T {
  const merged: ConfigurableFlags = {
    tol: flags.tol ?? config.tolerance,
    eps: flags.eps ?? config.eps,
    seed: flags.seed ?? config.seed,
    method: flags.method ?? config.method,
    order: flags.order ?? config.order,
    mode: flags.mode ?? config.mode,
    ad: flags.ad ?? config.ad,
    nondetTol: flags.nondetTol ?? config.nondetTolerance,
    replayRandom: flags.replayRandom ?? config.replayRandom,
    explore: flags.explore ?? (config.explore === false ? undefined : config.explore),
    timeout: flags.timeout ?? config.timeout,
    maxMemory: flags.maxMemory ?? config.maxMemory,
    bail: flags.bail ?? (config.bail === false ? undefined : config.bail),
    passWithNoOps: flags.passWithNoOps ?? config.passWithNoOps,
  };
  // Keys left undefined stay out, so that `{ ...options }` elsewhere never sees an explicit undefined.
  return { ...flags, ...Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined)) };
}

/** `--explore` as the checker takes it: a number of points. */
export function explorePoints(explore: number | true | undefined): number | undefined {
  return explore === true ? DEFAULT_EXPLORE_POINTS : explore;
}

/** `--bail` as the scheduler takes it: a number of failures. */
export function bailAfter(bail: number | true | undefined): number | undefined {
  return bail === true ? 1 : bail;
}

/** The threads of the element-wise check from the config, unless GRADCHECK_THREADS says for this one run. */
export function configThreads(config: GradcheckConfig, env: NodeJS.ProcessEnv = process.env): number | undefined {
  return env.GRADCHECK_THREADS === undefined || env.GRADCHECK_THREADS === '' ? config.threads : undefined;
}

/** The config's per-op settings, for the workers. */
export function configOverrides(config: GradcheckConfig): OpOverrideList | undefined {
  const list = overridesOf(config);
  return list.length > 0 ? list : undefined;
}

/**
 * The op files of a command: those the arguments name, else the config's `include` (or `files`),
 * less `--exclude`, `!glob` arguments and the config's `exclude`.
 */
export function selectWithConfig(paths: string[], exclude: string[] | undefined, { path, dir, config }: LoadedConfig): { selection: Selection; args: string[] } {
  const args = paths.length > 0 ? paths : (config.include ?? config.files ?? []).map((pattern) => absoluteGlob(pattern, dir));
  if (args.filter((arg) => !arg.startsWith('!')).length === 0) {
    throw new UsageError(`no op files given (name some, or list them as include in ${path ? 'gradcheck.config.ts' : 'a gradcheck.config.ts'})`);
  }
  const excluded = [...(exclude ?? []).map((pattern) => absoluteGlob(pattern, process.cwd())), ...(config.exclude ?? []).map((pattern) => absoluteGlob(pattern, dir))];
  return { selection: selectFiles(args, { exclude: excluded, root: projectRoot(process.cwd(), path) }), args };
}
