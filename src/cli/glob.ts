// Globs in file arguments, for shells that pass `examples/*.ts` through unexpanded (Windows cmd,
// npm scripts on some platforms, quoted arguments). `*` and `?` match within one path segment,
// `**` matches any number of directories; like a shell, wildcards skip names that start with a dot,
// and `**` does not descend into node_modules.
import { readdirSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

export function hasGlob(path: string): boolean {
  return /[*?]/.test(path);
}

/** The paths matching `pattern`, sorted; a path without wildcards is returned as it is. */
export function expandGlob(pattern: string): string[] {
  if (!hasGlob(pattern)) return [pattern];
  const segments = pattern.split(/[\\/]+/).filter((segment, i) => segment !== '' || i === 0);
  const start = isAbsolute(pattern) ? '/' : '.';
  if (segments[0] === '') segments.shift();
  const found = new Set<string>();
  walk(start, segments, found);
  const relativeStart = (path: string) => (start === '.' && path.startsWith('./') ? path.slice(2) : path);
  return [...found].map(relativeStart).sort();
}

function walk(dir: string, segments: string[], found: Set<string>): void {
  if (segments.length === 0) {
    found.add(dir);
    return;
  }
  const [head, ...rest] = segments;
  if (head === '**') {
    walk(dir, rest, found);
    for (const entry of entries(dir)) {
      if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules') walk(join(dir, entry.name), segments, found);
    }
    return;
  }
  if (!hasGlob(head)) {
    const next = join(dir, head);
    if (exists(next)) walk(next, rest, found);
    return;
  }
  const matcher = segmentMatcher(head);
  for (const entry of entries(dir)) {
    if (entry.name.startsWith('.') && !head.startsWith('.')) continue;
    if (!matcher.test(entry.name)) continue;
    if (rest.length === 0 || entry.isDirectory()) walk(join(dir, entry.name), rest, found);
  }
}

export function segmentMatcher(segment: string): RegExp {
  const source = segment.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${source}$`);
}

function entries(dir: string) {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
