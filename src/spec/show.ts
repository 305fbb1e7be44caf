// A value in an error message as JavaScript would write it: `Infinity`, `NaN`, `[NaN, 1]`, `1n`,
// `'1e-7'`. JSON.stringify, which messages used, writes Infinity and NaN as null (so a tolerance of
// Infinity read "got null") and throws on a BigInt or a cycle, which turned a wrong value into a
// confusing error of its own. Short: long arrays and objects are cut.

const MAX_ITEMS = 6;

/** `value` as a short JavaScript-like literal, for messages. Never throws (getters and proxies included). */
export function show(value: unknown, depth = 0): string {
  try {
    return shown(value, depth);
  } catch {
    return typeof value === 'object' ? 'an object' : typeof value;
  }
}

function shown(value: unknown, depth: number): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (typeof value === 'function') return 'a function';
  if (value === null || typeof value !== 'object') return String(value);
  if (depth >= 2) return Array.isArray(value) ? '[…]' : '{…}';
  if (Array.isArray(value) || ArrayBuffer.isView(value)) {
    const items = Array.from(value as ArrayLike<unknown>);
    const listed = items.slice(0, MAX_ITEMS).map((item) => show(item, depth + 1));
    const prefix = Array.isArray(value) ? '' : `${value.constructor.name} `;
    return `${prefix}[${[...listed, ...(items.length > MAX_ITEMS ? [`… ${items.length - MAX_ITEMS} more`] : [])].join(', ')}]`;
  }
  const keys = Object.keys(value);
  const entries = keys.slice(0, MAX_ITEMS).map((key) => `${/^[A-Za-z_$][\w$]*$/.test(key) ? key : show(key)}: ${show((value as Record<string, unknown>)[key], depth + 1)}`);
  if (keys.length > MAX_ITEMS) entries.push('…');
  return entries.length > 0 ? `{ ${entries.join(', ')} }` : '{}';
}
