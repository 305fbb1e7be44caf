// Sets up a Node.js process (or worker thread) to run gradcheck and op files:
// - tsx compiles TypeScript, both as ES modules and as CommonJS (tsx compiles an op file that lies
//   outside a "type": "module" package to CommonJS);
// - the specifiers 'gradcheck' and 'gradcheck/tfjs' resolve to this very copy, from import and from require, so an op
//   file anywhere on disk needs no install step and shares the one Tensor class the checker uses.
// Plain JavaScript, because it runs before TypeScript support exists.
//
// tsx is imported only when set up: loading it and starting its module-hooks thread is most of a
// cold start, so a process that imports no op file (the CLI's main thread under `run`) never pays it.
import { existsSync } from 'node:fs';
import Module, { register } from 'node:module';

// The sources' entry points are .ts; the built package's (dist/) are .js.
const entryUrl = (name) => {
  const source = new URL(`./${name}.ts`, import.meta.url);
  return (existsSync(source) ? source : new URL(`./${name}.js`, import.meta.url)).href;
};
const indexUrl = entryUrl('index');
const tfjsUrl = entryUrl('tfjs');
/** This copy is the built JavaScript (dist/): its own modules load without TypeScript support. */
export const compiled = indexUrl.endsWith('.js');
let ready;

export function setupRuntime() {
  ready ??= (async () => {
    // Built: gradcheck's own modules are imported before the hooks exist, which would otherwise see
    // (and, off-thread, slow down) every one of their imports.
    const early = compiled ? await importEntries() : undefined;
    const [{ register: registerTsxEsm }, { register: registerTsxCjs }] = await Promise.all([import('tsx/esm/api'), import('tsx/cjs/api')]);
    registerTsxCjs();
    registerTsxEsm();
    // Registered after tsx, so it runs before tsx's resolver (hooks chain last-in, first-out).
    register('./resolve-gradcheck.js', import.meta.url, { data: { entries: { gradcheck: indexUrl, 'gradcheck/tfjs': tfjsUrl } } });
    const entries = early ?? (await importEntries());
    // require() is synchronous: the entry points op files may require are loaded up front.
    const load = Module._load;
    Module._load = function loadWithGradcheck(request, ...rest) {
      return entries.get(request) ?? load.call(this, request, ...rest);
    };
    return entries.get('gradcheck');
  })();
  return ready;
}

async function importEntries() {
  return new Map([
    ['gradcheck', await import(indexUrl)],
    ['gradcheck/tfjs', await import(tfjsUrl)],
  ]);
}
