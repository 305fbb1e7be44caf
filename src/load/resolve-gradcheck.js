// @ts-check
// Module resolve hook: `import 'gradcheck'` (or one of its adapters, 'gradcheck/tfjs', ...) from any op
// file means the running gradcheck's own copy; and an op file imported with AS_MODULE in its query is
// an ES module whatever its package.json says (see importOpFile in runtime.js).

/**
 * The query parameter that makes an op file an ES module: a .ts file outside a "type": "module"
 * package is otherwise compiled to CommonJS by tsx, which cannot hold a top-level await.
 */
export const AS_MODULE = 'gradcheck-as-module';

/** @typedef {{ entries: Record<string, string> }} HookData Each specifier answered, with the URL it means. */

/** @type {Record<string, string>} */
let entries = {};

/** @type {import('node:module').InitializeHook<HookData>} */
export function initialize(data) {
  entries = data.entries;
}

/** @type {import('node:module').ResolveHook} */
export async function resolve(specifier, context, nextResolve) {
  if (Object.hasOwn(entries, specifier)) return { url: entries[specifier], shortCircuit: true };
  const resolved = await nextResolve(specifier, context);
  if (!resolved.url.startsWith('file:')) return resolved;
  const url = new URL(resolved.url);
  if (!url.searchParams.has(AS_MODULE)) return resolved;
  // The marker is gradcheck's, not the file's: import.meta.url is the file's own URL.
  url.searchParams.delete(AS_MODULE);
  return { ...resolved, url: url.href, format: 'module' };
}
