// Malformed op specs for property tests: a valid spec with one or two things broken. Each comes as
// an object (for the library) and as JavaScript source (for an op file run through the CLI).
import fc from 'fast-check';

type Field = [key: string, source: string, value: unknown];

const FORWARD: Field = ['forward', '({ x }) => x.square().sum()', ({ x }: { x: { square(): { sum(): unknown } } }) => x.square().sum()];

/** Source text of a plain value (NaN and Infinity included, which JSON cannot hold). */
function literal(value: unknown): string {
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : !Number.isFinite(value) ? (value > 0 ? 'Infinity' : '-Infinity') : String(value);
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (value !== null && typeof value === 'object') return `{ ${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${literal(v)}`).join(', ')} }`;
  return JSON.stringify(value) ?? 'undefined';
}

const value = (key: string, v: unknown): Field => [key, literal(v), v];

const badShape = fc.constantFrom<unknown[]>([-1], [2.5], [3, -2], [Number.NaN], [true], [null], [0, 3], [1e5, 1e5], [Infinity]);
const badInput = fc.oneof(
  badShape,
  badShape.map((shape) => ({ shape })),
  fc.constantFrom<unknown>(
    'x',
    7,
    null,
    { shape: 'abc' },
    { shape: [3], values: [1, 2] },
    { shape: [2, 2], values: [[1, 2], [3]] },
    { shape: [3], values: ['a', 'b', 'c'] },
    { shape: [3], low: 2, high: 1 },
    { shape: [3], low: 1, high: 1 },
    { shape: [3], low: Number.NaN },
    { values: [1, 2, 3] },
  ),
);

const breakage: fc.Arbitrary<Field[]> = fc.oneof(
  badInput.map((input) => [value('inputs', { x: input })]),
  fc.constantFrom<unknown>(null, 'x', 5, [], {}).map((inputs) => [value('inputs', inputs)]),
  fc.constantFrom<unknown>('', 5, null).map((name) => [value('name', name)]),
  fc.constantFrom<unknown>(-1, 0, 'big', Number.NaN).map((tolerance) => [value('tolerance', tolerance)]),
  fc.constantFrom<Field[]>(
    [['forward', 'undefined', undefined]],
    [['forward', '5', 5]],
    [['forward', '() => 42', () => 42]],
    [['forward', 'undefined', undefined], ['evaluate', '({ x }) => x', ({ x }: { x: unknown }) => x]],
  ),
);

export interface MalformedSpec {
  spec: Record<string, unknown>;
  source: string;
}

export const malformedSpec: fc.Arbitrary<MalformedSpec> = fc.array(breakage, { minLength: 1, maxLength: 2 }).map((breaks) => {
  const fields = new Map<string, Field>([
    ['name', value('name', 'malformed')],
    ['inputs', value('inputs', { x: [3] })],
    ['forward', FORWARD],
  ]);
  for (const field of breaks.flat()) fields.set(field[0], field);
  const entries = [...fields.values()].filter(([, , v]) => v !== undefined);
  return {
    spec: Object.fromEntries(entries.map(([k, , v]) => [k, v])),
    source: `{ ${entries.map(([k, s]) => `${k}: ${s}`).join(', ')} }`,
  };
});
