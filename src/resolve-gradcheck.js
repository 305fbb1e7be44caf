// Module resolve hook: `import 'gradcheck'` from any op file means the running gradcheck's own index.
let indexUrl;

export function initialize(data) {
  indexUrl = data.indexUrl;
}

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'gradcheck') return { url: indexUrl, shortCircuit: true };
  return nextResolve(specifier, context);
}
