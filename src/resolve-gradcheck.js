// Module resolve hook: `import 'gradcheck'` (or 'gradcheck/tfjs') from any op file means the running
// gradcheck's own copy.
let indexUrl;
const ENTRY_FILES = new Map([
  ['gradcheck', './index.ts'],
  ['gradcheck/tfjs', './tfjs.ts'],
]);

export function initialize(data) {
  indexUrl = data.indexUrl;
}

export async function resolve(specifier, context, nextResolve) {
  const entry = ENTRY_FILES.get(specifier);
  if (entry) return { url: new URL(entry, indexUrl).href, shortCircuit: true };
  return nextResolve(specifier, context);
}
