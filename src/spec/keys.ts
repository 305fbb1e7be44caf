// The keys an op spec may have, listed once and held to the spec types: a key the types gain and
// this list lacks is a compile error naming it, so the unknown-key check can never reject a real key.
// A key outside the list is a typo (`tolerence`) that would otherwise silently leave a check as it was.
import type { EngineOpSpec, OpSpec, TensorOpSpec } from './define.ts';
import { OpSpecError } from './inputs.ts';
import { show } from './show.ts';

type SpecKey = keyof TensorOpSpec<string> | keyof EngineOpSpec<string>;

export const OP_SPEC_KEYS = [
  'name',
  'inputs',
  'forward',
  'evaluate',
  'vjp',
  'jvp',
  'outputs',
  'outputShape',
  'tolerance',
  'nondetTolerance',
  'precision',
  'dims',
  'skip',
  'expect',
] as const satisfies readonly SpecKey[];

type Unlisted = Exclude<SpecKey, (typeof OP_SPEC_KEYS)[number]>;
// Fails to compile, naming the key, when a spec type has a key the list above does not.
const everyKeyListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyKeyListed;

/** The candidate nearest to a mistyped word, when it is near enough to be what was meant. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}

/** "unknown key 'tolerence' (did you mean 'tolerance'?; <what> takes a, b, c)" */
export function unknownKeyMessage(key: string, known: readonly string[], what: string): string {
  const guess = closest(key, known);
  return `unknown key '${key}' (${guess ? `did you mean '${guess}'? ` : ''}${what} takes ${known.join(', ')})`;
}

/** The op spec's own keys and the values of skip and expect; an OpSpecError naming the first that is wrong. */
export function checkSpecKeys(spec: OpSpec): void {
  for (const key of Object.keys(spec)) {
    if (!(OP_SPEC_KEYS as readonly string[]).includes(key)) throw new OpSpecError(unknownKeyMessage(key, OP_SPEC_KEYS, 'an op spec'));
  }
  const { skip, expect } = spec;
  if (skip !== undefined && typeof skip !== 'boolean' && (typeof skip !== 'string' || skip.trim() === '')) {
    throw new OpSpecError(`\`skip\` must be a reason (a non-empty string) or true, got ${show(skip)}`);
  }
  if (expect !== undefined && expect !== 'fail' && expect !== 'pass') throw new OpSpecError(`\`expect\` must be 'fail' or 'pass', got ${show(expect)}`);
}

/** The reason an op is skipped, when it is. */
export function skipReason(skip: string | boolean | undefined): string | undefined {
  if (skip === undefined || skip === false) return undefined;
  return skip === true ? 'skipped' : skip;
}
