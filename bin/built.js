// @ts-check
// Whether dist/ (the built JavaScript) may stand in for src/: `npm run build` writes dist/build-stamp
// last, so the build is current when no file under src/ changed after the stamp. (npm pack gives every
// file the same time, so an installed package is current.)
import { readdirSync, statSync } from 'node:fs';

/**
 * @param {URL} url
 * @returns {number | undefined} when the file last changed; undefined if there is none.
 */
const mtime = (url) => {
  try {
    return statSync(url).mtimeMs;
  } catch {
    return undefined;
  }
};

/** dist/ was built no earlier than the newest change under src/, so it may stand in for the sources. */
export function builtIsCurrent() {
  const builtAt = mtime(new URL('../dist/build-stamp', import.meta.url));
  if (builtAt === undefined) return false;
  const sources = new URL('../src/', import.meta.url);
  return readdirSync(sources, { recursive: true }).every((path) => (mtime(new URL(path, sources)) ?? 0) <= builtAt);
}
