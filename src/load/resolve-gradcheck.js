// Module resolve hook: `import 'gradcheck'` (or 'gradcheck/tfjs') from any op file means the running
// gradcheck's own copy.
let entries = {};

export function initialize(data) {
  entries = data.entries;
}

export async function resolve(specifier, context, nextResolve) {
  if (Object.hasOwn(entries, specifier)) return { url: entries[specifier], shortCircuit: true };
  return nextResolve(specifier, context);
}
