// Sets up a Node.js process (or worker thread) to run gradcheck and op files:
// - tsx compiles TypeScript, both as ES modules and as CommonJS (tsx compiles an op file that lies
//   outside a "type": "module" package to CommonJS);
// - the specifiers 'gradcheck' and 'gradcheck/tfjs' resolve to this very copy, from import and from require, so an op
//   file anywhere on disk needs no install step and shares the one Tensor class the checker uses.
// Plain JavaScript, because it runs before TypeScript support exists.
import { existsSync } from 'node:fs';
import Module, { register } from 'node:module';
import { register as registerTsxEsm } from 'tsx/esm/api';
import { register as registerTsxCjs } from 'tsx/cjs/api';

// The sources' entry points are .ts; the built package's (dist/) are .js.
const entryUrl = (name) => {
  const source = new URL(`./${name}.ts`, import.meta.url);
  return (existsSync(source) ? source : new URL(`./${name}.js`, import.meta.url)).href;
};
const indexUrl = entryUrl('index');
const tfjsUrl = entryUrl('tfjs');
let ready;

export function setupRuntime() {
  ready ??= (async () => {
    registerTsxCjs();
    registerTsxEsm();
    // Registered after tsx, so it runs before tsx's resolver (hooks chain last-in, first-out).
    register('./resolve-gradcheck.js', import.meta.url, { data: { entries: { gradcheck: indexUrl, 'gradcheck/tfjs': tfjsUrl } } });
    const gradcheck = await import(indexUrl);
    // require() is synchronous: the entry points op files may require are loaded up front.
    const entries = new Map([
      ['gradcheck', gradcheck],
      ['gradcheck/tfjs', await import(tfjsUrl)],
    ]);
    const load = Module._load;
    Module._load = function loadWithGradcheck(request, ...rest) {
      return entries.get(request) ?? load.call(this, request, ...rest);
    };
    return gradcheck;
  })();
  return ready;
}
