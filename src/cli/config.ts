// gradcheck.config.ts as the CLI uses it: found in the current directory, loaded in a worker thread
// (load/config.ts says what it may contain), and merged with the flags, which win over it.
import { ConfigError, findConfig } from '../load/config.ts';
import type { GradcheckConfig } from '../load/config.ts';
import { loadConfigIsolated } from '../run/scheduler.ts';

export { CONFIG_FILES, ConfigError, findConfig, validateConfig } from '../load/config.ts';
export type { GradcheckConfig } from '../load/config.ts';

type Mode = NonNullable<GradcheckConfig['mode']>;

/**
 * The config in `dir`, if any, imported in a worker thread under `timeoutMs` (`--timeout`): a config
 * that hangs, exits, throws or fails validation is a ConfigError of one line that names it; so is
 * one whose import `signal` stopped.
 */
export async function loadConfig(
  dir = process.cwd(),
  { timeoutMs, memoryMb, signal }: { timeoutMs?: number; memoryMb?: number; signal?: AbortSignal } = {},
): Promise<{ path?: string; config: GradcheckConfig }> {
  const path = findConfig(dir);
  if (!path) return { config: {} };
  const loaded = await loadConfigIsolated(path, { timeoutMs, memoryMb, signal });
  if ('error' in loaded) throw new ConfigError(loaded.error);
  return { path, config: loaded.config };
}

/** Flags given on the command line win over the config file's values (an absent flag is undefined: options.ts gives none a default). */
export function withConfig<T extends { tol?: number; eps?: number[]; seed?: number; mode?: Mode }>(flags: T, config: GradcheckConfig): T {
  return {
    ...flags,
    tol: flags.tol ?? config.tolerance,
    eps: flags.eps ?? config.eps,
    seed: flags.seed ?? config.seed,
    ...(flags.mode !== undefined || config.mode !== undefined ? { mode: flags.mode ?? config.mode } : {}),
  };
}

/** The op-file arguments of `run` and `sweep`: those on the command line, else the config's `files`. */
export function pathsOrConfig(paths: string[], config: GradcheckConfig): string[] {
  return paths.length > 0 ? paths : (config.files ?? []);
}
