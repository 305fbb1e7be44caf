// Drawing an op's inputs from their specs: seeded by the run's seed, the op's name and the input's
// name, so that adding an op or an input leaves the others' draws unchanged. The spec is validated
// here, when the op is checked, so one bad op never hides the others.
import type { NestedArray } from '../core/index.ts';
import type { InputSpec, Op, OpSpec } from './define.ts';
import { createRandom, deriveSeed } from './random.ts';
import { show } from './show.ts';
import { unravelIndex } from '../core/shape.ts';

/** A problem with an op's spec: reported as that op's error, naming the input when there is one. */
export class OpSpecError extends Error {
  constructor(message: string, readonly input?: string) {
    super(message);
    this.name = 'OpSpecError';
  }
}

/** 800 MB of float64 per input: beyond it, drawing the values alone would exhaust memory. */
export const MAX_INPUT_ELEMENTS = 100_000_000;

export interface MaterializedInput {
  name: string;
  shape: number[];
  data: Float64Array;
  /** `grad: false` (or `integer: true`): never perturbed, no gradient expected. */
  constant: boolean;
  /** The values were given (`values`), not drawn: they may sit exactly on a kink. */
  given?: true;
  /** Where the op is defined ([lo, hi]): no step of the check leaves it. */
  domain?: [number, number];
}

/** The keys an input spec object may have: any other is a typo that would silently change a check. */
export const INPUT_SPEC_KEYS = ['shape', 'low', 'high', 'values', 'grad', 'integer', 'domain'] as const;

/** The size range a named dimension takes when the op's `dims` does not say. */
export const DEFAULT_DIM_RANGE: readonly [number, number] = [1, 8];

/** Each named dimension's size range: the op's `dims`, else the default; a `dims` entry no shape names is a typo. */
export function dimRanges(op: Op): Record<string, [number, number]> {
  const inputs = inputSpecs(op);
  const named = new Set(Object.values(inputs).flatMap((spec) => (Array.isArray(spec) ? spec : spec?.shape ?? []).filter((d): d is string => typeof d === 'string')));
  const dims = (op.spec as { dims?: unknown }).dims;
  if (dims !== undefined && (dims === null || typeof dims !== 'object' || Array.isArray(dims))) throw new OpSpecError(`\`dims\` must be an object of ranges such as { n: [1, 12] }, got ${describeValue(dims)}`);
  const given = (dims ?? {}) as Record<string, unknown>;
  for (const [name, range] of Object.entries(given)) {
    if (!named.has(name)) throw new OpSpecError(`\`dims\` names '${name}', which no input's shape uses${named.size > 0 ? ` (named dimensions: ${[...named].join(', ')})` : ''}`);
    const valid = Array.isArray(range) && range.length === 2 && range.every((n) => Number.isInteger(n) && n >= 1) && range[0] <= range[1];
    if (!valid) throw new OpSpecError(`\`dims.${name}\` must be [min, max], whole numbers with 1 ≤ min ≤ max, got ${describeValue(range)}`);
  }
  return Object.fromEntries([...named].map((name) => [name, [...((given[name] as [number, number] | undefined) ?? DEFAULT_DIM_RANGE)] as [number, number]]));
}

/** One size per named dimension: the ones given, the rest drawn from their ranges (seeded by the op and the name). */
export function drawDims(op: Op, seed: number, given: Record<string, number> = {}): Record<string, number> {
  return Object.fromEntries(Object.entries(dimRanges(op)).map(([name, [min, max]]) => {
    if (given[name] !== undefined) return [name, given[name]];
    const random = createRandom(deriveSeed(seed, `${op.name}/dims/${name}`));
    return [name, min + Math.floor((max - min + 1) * random.uniform())];
  }));
}

function inputSpecs(op: Op): Record<string, InputSpec> {
  const inputs = op.spec?.inputs as Record<string, InputSpec> | undefined;
  if (inputs === null || typeof inputs !== 'object' || Array.isArray(inputs)) {
    throw new OpSpecError('`inputs` must be an object mapping input names to shapes or { shape, low, high, values }');
  }
  return inputs;
}

/**
 * Draws (or copies) every input of an op, seeded by the run's seed, the op's name and the input's
 * name, its named dimensions at the sizes `dims` gives (drawn when not given).
 */
/**
 * `instead`: values that replace an input's draw (a point beyond the drawn one), of its size; the
 * spec is checked all the same, and the draw, which would be thrown away, is not made.
 */
export function materializeInputs(op: Op, seed: number, dims: Record<string, number> = drawDims(op, seed), instead: Record<string, ArrayLike<number>> = {}): MaterializedInput[] {
  validateOptions(op.spec);
  const inputs = inputSpecs(op);
  const names = Object.keys(inputs);
  if (names.length === 0) throw new OpSpecError('`inputs` is empty: an op needs at least one input to differentiate');
  const materialized = names.map((name) => materializeInput(name, resolveShape(inputs[name], dims), deriveSeed(seed, `${op.name}/${name}`), instead[name]));
  if (materialized.every((input) => input.constant)) {
    throw new OpSpecError('every input is a constant (grad: false or integer: true): an op needs at least one input to differentiate');
  }
  return materialized;
}

/** What defineOp accepted without looking: the spec's own fields, checked before anything runs. */
function validateOptions(spec: OpSpec | null | undefined): asserts spec is OpSpec {
  if (spec === null || typeof spec !== 'object') throw new OpSpecError(`defineOp expects an object { name, inputs, forward } or { name, inputs, evaluate, vjp }, got ${spec === null ? 'null' : typeof spec}`);
  if (typeof spec.name !== 'string' || spec.name.trim() === '') throw new OpSpecError('`name` must be a non-empty string');
  validatePositive('tolerance', spec.tolerance);
  validatePositive('nondetTolerance', spec.nondetTolerance);
}

/** The spec with its named dimensions replaced by their sizes. */
function resolveShape(spec: InputSpec, dims: Record<string, number>): InputSpec {
  const resolve = (shape: unknown) => (Array.isArray(shape) ? shape.map((d) => (typeof d === 'string' && dims[d] !== undefined ? dims[d] : d)) : shape);
  if (Array.isArray(spec)) return resolve(spec) as InputSpec;
  return spec && typeof spec === 'object' ? ({ ...spec, shape: resolve(spec.shape) } as InputSpec) : spec;
}

function describeValue(value: unknown): string {
  return Array.isArray(value) ? `[${value.map(String).join(', ')}]` : typeof value === 'string' ? `'${value}'` : String(value);
}

function validatePositive(key: string, value: unknown): void {
  if (value !== undefined && !(typeof value === 'number' && value > 0 && Number.isFinite(value))) {
    throw new OpSpecError(`\`${key}\` must be a positive finite number, got ${show(value)}`);
  }
}

function materializeInput(name: string, spec: InputSpec, seed: number, instead?: ArrayLike<number>): MaterializedInput {
  const declared = Array.isArray(spec) ? spec : spec?.shape;
  if (!Array.isArray(declared)) throw new OpSpecError(`input '${name}': expected a shape array or { shape, ... }`, name);
  const size = validateShape(name, declared);
  const shape = declared as number[];
  const data = new Float64Array(size);
  const random = createRandom(seed);
  const replaced = instead?.length === size;
  if (replaced) data.set(instead);
  if (Array.isArray(spec)) {
    if (!replaced) for (let i = 0; i < size; i++) data[i] = random.normal();
    return { name, shape: [...shape], data, constant: false };
  }
  const { integer, constant } = validateSpecKeys(name, spec);
  const domain = validateDomain(name, spec.domain);
  const within = (values: ArrayLike<number>): MaterializedInput => {
    const outside = domain ? Array.from(values).find((v) => !(v > domain[0] && v < domain[1])) : undefined;
    if (outside !== undefined) throw new OpSpecError(`input '${name}': value ${outside} is not inside its domain [${domain![0]}, ${domain![1]}]`, name);
    return { name, shape: [...shape], data, constant, ...(spec.values !== undefined ? { given: true as const } : {}), ...(domain ? { domain } : {}) };
  };
  if (spec.values !== undefined) {
    const values = flatten(name, spec.values);
    if (values.length !== size) {
      throw new OpSpecError(`input '${name}': ${values.length} values do not fill shape [${shape.join(', ')}] (${size} elements)`, name);
    }
    // NaN or ±Infinity: no finite difference is taken at such a point, and no gradient has a value there.
    const nonFinite = values.findIndex((v) => !Number.isFinite(v));
    if (nonFinite >= 0) {
      throw new OpSpecError(`input '${name}': value ${values[nonFinite]} at [${unravelIndex(nonFinite, shape as number[]).join(', ')}] is not a finite number (given values must be finite)`, name);
    }
    const fraction = integer ? values.find((v) => !Number.isInteger(v)) : undefined;
    if (fraction !== undefined) throw new OpSpecError(`input '${name}': integer: true, but value ${fraction} is not an integer`, name);
    data.set(values);
    return within(data);
  }
  if (integer && spec.high === undefined) {
    throw new OpSpecError(`input '${name}': integer: true needs \`high\` (integers are drawn from [low, high), low 0 unless given)`, name);
  }
  // Drawn inside the domain unless told otherwise: [−1, 1] cut to it, or the domain itself when they do not meet.
  const [lo, hi] = domain ?? [-Infinity, Infinity];
  const low = spec.low ?? (integer ? 0 : Math.max(-1, lo) < Math.min(1, hi) ? Math.max(-1, lo) : lo);
  const high = spec.high ?? (Math.max(-1, lo) < Math.min(1, hi) ? Math.min(1, hi) : hi);
  if (!Number.isFinite(low) || !Number.isFinite(high)) {
    const given = spec.low !== undefined || spec.high !== undefined;
    throw new OpSpecError(
      given
        ? `input '${name}': low and high must be finite numbers, got low ${show(low)}, high ${show(high)}`
        : `input '${name}': domain [${lo}, ${hi}] leaves no finite range to draw from: give low and high inside it`,
      name,
    );
  }
  if (!(low < high)) throw new OpSpecError(`input '${name}': low (${show(low)}) must be below high (${show(high)})`, name);
  if (integer) {
    const [from, to] = [Math.ceil(low), Math.ceil(high)];
    if (!(from < to)) throw new OpSpecError(`input '${name}': no integer lies in [${low}, ${high})`, name);
    if (!replaced) for (let i = 0; i < size; i++) data[i] = Math.min(to - 1, from + Math.floor((to - from) * random.uniform()));
  } else if (!replaced) {
    for (let i = 0; i < size; i++) data[i] = low + (high - low) * random.uniform();
  }
  return within(data);
}

function validateDomain(name: string, domain: unknown): [number, number] | undefined {
  if (domain === undefined) return undefined;
  const valid = Array.isArray(domain) && domain.length === 2 && domain.every((v) => typeof v === 'number' && !Number.isNaN(v)) && domain[0] < domain[1];
  if (!valid) throw new OpSpecError(`input '${name}': domain must be [lo, hi] with lo below hi (Infinity allowed), got ${show(domain)}`, name);
  return [domain[0], domain[1]];
}

/** The number of elements of a declared shape, or the error naming what is wrong with it. */
function validateShape(name: string, shape: unknown[]): number {
  for (const dim of shape) {
    if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < 0) {
      throw new OpSpecError(`input '${name}': dimension ${show(dim)} in shape [${shape.map((d) => show(d)).join(', ')}] is not a non-negative integer`, name);
    }
  }
  const size = (shape as number[]).reduce((a, b) => a * b, 1);
  if (size === 0) throw new OpSpecError(`input '${name}': shape [${shape.join(', ')}] has no elements`, name);
  if (size > MAX_INPUT_ELEMENTS) {
    throw new OpSpecError(
      `input '${name}': shape [${shape.join(', ')}] has ${size.toExponential(1).replace('e+', 'e')} elements, more than gradcheck holds in one input (${MAX_INPUT_ELEMENTS.toExponential(0).replace('e+', 'e')})`,
      name,
    );
  }
  return size;
}

/** Unknown keys are typos; `integer` implies `grad: false`, and says so if asked otherwise. */
function validateSpecKeys(name: string, spec: Exclude<InputSpec, unknown[]>): { integer: boolean; constant: boolean } {
  for (const key of Object.keys(spec)) {
    if (!(INPUT_SPEC_KEYS as readonly string[]).includes(key)) {
      throw new OpSpecError(`input '${name}': unknown key '${key}' (an input spec takes ${INPUT_SPEC_KEYS.join(', ')})`, name);
    }
  }
  for (const key of ['grad', 'integer'] as const) {
    if (spec[key] !== undefined && typeof spec[key] !== 'boolean') throw new OpSpecError(`input '${name}': \`${key}\` must be true or false, got ${show(spec[key])}`, name);
  }
  const integer = spec.integer === true;
  if (integer && spec.grad === true) throw new OpSpecError(`input '${name}': an integer input takes no gradient: integer: true cannot have grad: true`, name);
  return { integer, constant: integer || spec.grad === false };
}

function flatten(name: string, values: ArrayLike<number> | NestedArray): number[] {
  if (typeof values === 'number') return [values];
  if (typeof values !== 'object' || values === null) throw new OpSpecError(`input '${name}': values must be a number or an array of numbers, got ${show(values)}`, name);
  const out: number[] = [];
  const walk = (value: unknown, path: string): void => {
    if (typeof value === 'number') out.push(value);
    else if (Array.isArray(value)) Array.from(value, (item: unknown, k) => walk(item, `${path}[${k}]`));
    else if (ArrayBuffer.isView(value)) out.push(...(value as unknown as ArrayLike<number> & Iterable<number>));
    else throw new OpSpecError(`input '${name}': values must be numbers, got ${show(value)} at values${path}`, name);
  };
  if (ArrayBuffer.isView(values)) walk(values, '');
  else walk(Array.from(values as ArrayLike<number>, (v) => v), '');
  return out;
}
