// @ts-check
// Sets up a Node.js process (or worker thread) to run gradcheck and op files:
// - tsx compiles TypeScript, both as ES modules and as CommonJS (tsx compiles an op file that lies
//   outside a "type": "module" package to CommonJS);
// - the specifiers 'gradcheck', 'gradcheck/tfjs', 'gradcheck/torch-like' and 'gradcheck/js-pytorch' resolve to this
//   very copy, from import and from require, so an op file anywhere on disk needs no install step and shares the one
//   Tensor class the checker uses.
// Plain JavaScript, because it runs before TypeScript support exists.
//
// tsx is imported only when set up: loading it and starting its module-hooks thread is most of a
// cold start, so a process that imports no op file (the CLI's main thread under `run`) never pays it.
// The built copy's workers go further (setupRequireRuntime): they require op files through tsx's
// in-thread CommonJS hook and start the module-hooks thread (a third V8 isolate) only for a file
// that needs real ES module semantics.
import { existsSync, readFileSync } from 'node:fs';
import Module, { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { AS_MODULE } from './resolve-gradcheck.js';

/** @typedef {Record<string, unknown>} Namespace A module namespace, or what stands for one. */

/**
 * The URL of one of gradcheck's entry points: the sources' are .ts, the built package's (dist/) .js.
 * @param {string} name
 */
const entryUrl = (name) => {
  const source = new URL(`../${name}.ts`, import.meta.url);
  return (existsSync(source) ? source : new URL(`../${name}.js`, import.meta.url)).href;
};
const indexUrl = entryUrl('index');
/** Every specifier an op file may import gradcheck by, with the URL of the module it means (package.json's exports, less the test-runner adapters). */
const entryUrls = {
  gradcheck: indexUrl,
  'gradcheck/tfjs': entryUrl('adapters/tfjs'),
  'gradcheck/torch-like': entryUrl('adapters/torch-like'),
  'gradcheck/js-pytorch': entryUrl('adapters/js-pytorch'),
};
/** This copy is the built JavaScript (dist/): its own modules load without TypeScript support. */
export const compiled = indexUrl.endsWith('.js');
/** @type {Promise<Map<string, Namespace>> | undefined} */
let entries;
/** @type {Promise<void> | undefined} */
let requireReady;
/** @type {Promise<Namespace | undefined> | undefined} */
let ready;

/**
 * Full support: op files load by import(), as ES modules or CommonJS, whatever they are. Idempotent.
 * @returns {Promise<Namespace | undefined>} gradcheck's own namespace, the one op files get.
 */
export function setupRuntime() {
  ready ??= (async () => {
    // Built: gradcheck's own modules are imported before the hooks exist, which would otherwise see
    // (and, off-thread, slow down) every one of their imports.
    if (compiled) await gradcheckEntries();
    const { register: registerTsxEsm } = await import('tsx/esm/api');
    registerTsxEsm();
    // Registered after tsx, so it runs before tsx's resolver (hooks chain last-in, first-out).
    register('./resolve-gradcheck.js', import.meta.url, { data: { entries: entryUrls } });
    await setupRequire();
    return (await gradcheckEntries()).get('gradcheck');
  })();
  return ready;
}

/**
 * Built only: op files are required through tsx's CommonJS hook, and the full runtime is set up
 * later, if ever, for a file that needs it (see importOpFile). From the sources, the full runtime:
 * gradcheck's own .ts modules need the module hooks anyway. Idempotent.
 * @returns {Promise<Namespace | undefined>} gradcheck's own namespace, the one op files get.
 */
export async function setupRequireRuntime() {
  if (!compiled) return setupRuntime();
  await setupRequire();
  return (await gradcheckEntries()).get('gradcheck');
}

/**
 * The modules op files get for 'gradcheck' and 'gradcheck/tfjs': shared by every file a worker
 * loads, hence watched for changes between files (run/globals.ts).
 * @returns {Promise<Namespace[]>}
 */
export async function gradcheckNamespaces() {
  return [...(await gradcheckEntries()).values()];
}

function gradcheckEntries() {
  entries ??= (async () => {
    /** @type {Map<string, Namespace>} */
    const loaded = new Map();
    for (const [specifier, url] of Object.entries(entryUrls)) loaded.set(specifier, await import(url));
    return loaded;
  })();
  return entries;
}

/**
 * Node's CommonJS loader, which every require() goes through. `_load` is internal, hence not in
 * Node's types; it is the one place a request can be answered before resolution.
 * @type {{ _load: (this: unknown, request: string, ...rest: unknown[]) => unknown }}
 */
const commonJsLoader = /** @type {any} */ (Module);

// tsx's require hook, and 'gradcheck' answered for require().
function setupRequire() {
  requireReady ??= (async () => {
    // Required, not imported: tsx's CommonJS build of this entry loads in half the CPU time of its ES module build.
    createRequire(import.meta.url)('tsx/cjs/api').register();
    // require() is synchronous: the entry points op files may require are loaded up front.
    const loaded = await gradcheckEntries();
    const load = commonJsLoader._load;
    commonJsLoader._load = function loadWithGradcheck(request, ...rest) {
      return loaded.get(request) ?? load.call(this, request, ...rest);
    };
  })();
  return requireReady;
}

/**
 * The module namespace (or what stands for one) of the op file at an absolute path. Without the
 * full runtime, the file is required when CommonJS can run it: not an .mjs/.mts file, no
 * import.meta (esbuild's CommonJS output silently makes it {}), no top-level await (esbuild refuses
 * it); a file that turns out to need ES modules anyway is imported after setting up the full runtime.
 * A file that needs them is imported as an ES module whatever its package.json says (AS_MODULE):
 * tsx would compile a .ts file of a CommonJS package to CommonJS, where a top-level await is a
 * syntax error. For a required file, the namespace is `{ default: module.exports }`.
 * @param {string} path
 * @param {{ fresh?: boolean }} [options] fresh: load the file again, not from the module cache.
 * @returns {Promise<Namespace>}
 */
export async function importOpFile(path, { fresh = false } = {}) {
  // Nothing set up yet (a script that calls loadOps directly): the lighter runtime first.
  if (ready === undefined && requireReady === undefined) await setupRequireRuntime();
  const needsModule = !/\.c[jt]s$/.test(path) && !requirable(path);
  if (ready === undefined && requireReady !== undefined && !needsModule) {
    await requireReady;
    const require = createRequire(path);
    if (fresh) delete require.cache[path];
    try {
      const exports = require(path);
      // What import() of a CommonJS module gives: module.exports as the default export.
      return { default: exports };
    } catch (error) {
      if (!needsEsm(error)) throw error;
    }
  }
  if (requireReady !== undefined) await setupRuntime();
  const url = pathToFileURL(path);
  if (fresh) url.searchParams.set('t', String(Date.now()));
  if (needsModule) url.searchParams.set(AS_MODULE, '');
  try {
    return await import(url.href);
  } catch (error) {
    // A top-level await the quick look above missed (`f(await x)`): compiled to CommonJS, it failed.
    // Imported again as an ES module, under a URL of its own (the failed one stays failed).
    if (needsModule || /\.c[jt]s$/.test(path) || !needsEsm(error)) throw error;
    url.searchParams.set(AS_MODULE, '');
    url.searchParams.set('t', String(Date.now()));
    return import(url.href);
  }
}

/** @param {string} path */
function requirable(path) {
  if (/\.m[jt]s$/.test(path)) return false;
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return false;
  }
  return !/\bimport\s*\.\s*meta\b/.test(text) && !/^(?:export\s+)?(?:(?:const|let|var)\s[^=\n]*=\s*)?(?:for\s+)?await\b/m.test(text);
}

/** @param {unknown} error */
function needsEsm(error) {
  const { code, message } = /** @type {{ code?: unknown, message?: unknown }} */ (error ?? {});
  return code === 'ERR_REQUIRE_ESM' || code === 'ERR_REQUIRE_ASYNC_MODULE' || /Top-level await is currently not supported/.test(String(message ?? ''));
}
