// @ts-check
// Module resolve hook: `import 'gradcheck'` (or one of its adapters, 'gradcheck/tfjs', ...) from any op
// file means the running gradcheck's own copy.

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
  return nextResolve(specifier, context);
}
