// Which ops a run takes: op-name patterns (`--op`/`-t`, the config's per-op overrides) and shards
// (`--shard i/n`). Pure functions of names, shared by the CLI's main thread, which filters `list`,
// and the workers, which leave out the ops a run does not take before anything of theirs runs.

/**
 * Whether `name` matches `pattern`: the name itself; with `*` (any characters) or `?` (one), the
 * whole name as a wildcard; written `/…/` (flags after the last slash), a regular expression
 * searched in the name, as vitest's -t.
 */
export function matchesPattern(name: string, pattern: string): boolean {
  if (name === pattern) return true;
  const regex = /^\/(.+)\/([a-z]*)$/.exec(pattern);
  if (regex) {
    try {
      return new RegExp(regex[1], regex[2]).test(name);
    } catch {
      return false;
    }
  }
  if (!/[*?]/.test(pattern)) return false;
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 's').test(name);
}

/** A pattern that cannot be a regular expression, as one line for a usage error; undefined when it is fine. */
export function patternError(pattern: string): string | undefined {
  const regex = /^\/(.+)\/([a-z]*)$/.exec(pattern);
  if (!regex) return undefined;
  try {
    new RegExp(regex[1], regex[2]);
    return undefined;
  } catch (error) {
    return `'${pattern}' is not a regular expression: ${(error as Error).message}`;
  }
}

/** Whether any of `patterns` matches; every name when there are none. */
export function matchesAny(name: string, patterns: readonly string[] | undefined): boolean {
  return patterns === undefined || patterns.length === 0 || patterns.some((pattern) => matchesPattern(name, pattern));
}

/** `--shard 2/3`: the second of three disjoint parts of the run's ops. */
export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/**
 * Whether the op whose identity is `identity` (its file relative to the project root, with forward
 * slashes, and its name) falls in `shard`. A hash of the identity, not the op's position, so that
 * every machine of a CI matrix splits alike whatever order it found the files in, and adding an op
 * moves no other op between shards.
 */
export function inShard(identity: { file: string; name: string }, shard: Shard | undefined): boolean {
  if (shard === undefined || shard.count <= 1) return true;
  return fnv1a(`${identity.file}\u0000${identity.name}`) % shard.count === shard.index - 1;
}

/** FNV-1a, 32 bits, over the UTF-16 code units: small, stable across Node versions and platforms. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
