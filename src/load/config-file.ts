// Imports gradcheck.config.ts and validates its default export: what a worker thread does for the
// `config` job (worker-side.ts), under the same timeout and isolation as an op file's import.
import { resolve } from 'node:path';
import { importOpFile } from './runtime.js';
import { ConfigError, validateConfig } from './config.ts';
import type { GradcheckConfig } from './config.ts';
import { loadErrorMessage } from './errors.ts';
import { stackOf } from '../model/build.ts';
import { checkReadable } from './load-ops.ts';

export type ConfigResult = { config: GradcheckConfig } | { error: string; stack?: string };

/** The validated config of the file at `path`, or its error as one line naming `shown`. */
export async function readConfigFile(path: string, shown: string): Promise<ConfigResult> {
  const file = resolve(path);
  const unreadable = checkReadable(file, shown);
  if (unreadable) return { error: unreadable };
  let exported: unknown;
  try {
    const module = await importOpFile(file);
    // Required as CommonJS (tsx compiles a .ts file outside a "type": "module" package so), the
    // namespace is { default: module.exports }, and an `export default` sits one level down.
    const outer = module.default as { __esModule?: boolean; default?: unknown } | undefined;
    exported = outer?.__esModule ? outer.default : module.default;
    // An async config (`export default loadSettings()`) is waited for, under the import's timeout.
    if (isThenable(exported)) exported = await exported;
  } catch (error) {
    return { error: loadErrorMessage(shown, error, file), stack: stackOf(error) };
  }
  try {
    return { config: validateConfig(exported, shown) };
  } catch (error) {
    // A getter that throws, a Proxy: reading the export is the config's own code running.
    if (error instanceof ConfigError) return { error: error.message };
    const message = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
    return { error: `${shown}: reading its default export threw ${message.split('\n')[0]}`, stack: stackOf(error) };
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
