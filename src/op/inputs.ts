// Drawing an op's inputs from their specs: seeded by the run's seed, the op's name and the input's
// name, so that adding an op or an input leaves the others' draws unchanged. The spec is validated
// here, when the op is checked, so one bad op never hides the others.
import type { NestedArray } from '../core/index.ts';
import type { InputSpec, Op, OpSpec } from './define.ts';
import { createRandom, deriveSeed } from './random.ts';

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
}

/** Draws (or copies) every input of an op, seeded by the run's seed, the op's name and the input's name. */
export function materializeInputs(op: Op, seed: number): MaterializedInput[] {
  validateOptions(op.spec);
  const inputs = op.spec.inputs as Record<string, InputSpec> | undefined;
  if (inputs === null || typeof inputs !== 'object' || Array.isArray(inputs)) {
    throw new OpSpecError('`inputs` must be an object mapping input names to shapes or { shape, low, high, values }');
  }
  const names = Object.keys(inputs);
  if (names.length === 0) throw new OpSpecError('`inputs` is empty: an op needs at least one input to differentiate');
  return names.map((name) => materializeInput(name, inputs[name], deriveSeed(seed, `${op.name}/${name}`)));
}

/** What defineOp accepted without looking: the spec's own fields, checked before anything runs. */
function validateOptions(spec: OpSpec | null | undefined): asserts spec is OpSpec {
  if (spec === null || typeof spec !== 'object') throw new OpSpecError(`defineOp expects an object { name, inputs, forward } or { name, inputs, evaluate, vjp }, got ${spec === null ? 'null' : typeof spec}`);
  if (typeof spec.name !== 'string' || spec.name.trim() === '') throw new OpSpecError('`name` must be a non-empty string');
  const { tolerance } = spec;
  if (tolerance !== undefined && !(typeof tolerance === 'number' && tolerance > 0 && Number.isFinite(tolerance))) {
    throw new OpSpecError(`\`tolerance\` must be a positive number, got ${typeof tolerance === 'string' ? `'${tolerance}'` : String(tolerance)}`);
  }
}

function materializeInput(name: string, spec: InputSpec, seed: number): MaterializedInput {
  const shape = Array.isArray(spec) ? spec : spec?.shape;
  if (!Array.isArray(shape)) throw new OpSpecError(`input '${name}': expected a shape array or { shape, ... }`, name);
  for (const dim of shape) {
    if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < 0) {
      const shown = typeof dim === 'number' ? String(dim) : JSON.stringify(dim) ?? String(dim);
      throw new OpSpecError(`input '${name}': dimension ${shown} in shape [${shape.map(String).join(', ')}] is not a non-negative integer`, name);
    }
  }
  const size = shape.reduce((a, b) => a * b, 1);
  if (size === 0) throw new OpSpecError(`input '${name}': shape [${shape.join(', ')}] has no elements`, name);
  if (size > MAX_INPUT_ELEMENTS) {
    throw new OpSpecError(
      `input '${name}': shape [${shape.join(', ')}] has ${size.toExponential(1).replace('e+', 'e')} elements, more than gradcheck holds in one input (${MAX_INPUT_ELEMENTS.toExponential(0).replace('e+', 'e')})`,
      name,
    );
  }
  const data = new Float64Array(size);
  const random = createRandom(seed);
  if (Array.isArray(spec)) {
    for (let i = 0; i < size; i++) data[i] = random.normal();
    return { name, shape: [...shape], data };
  }
  if (spec.values !== undefined) {
    const values = flatten(spec.values);
    if (values.length !== size) {
      throw new OpSpecError(`input '${name}': ${values.length} values do not fill shape [${shape.join(', ')}] (${size} elements)`, name);
    }
    data.set(values);
    return { name, shape: [...shape], data };
  }
  const low = spec.low ?? -1;
  const high = spec.high ?? 1;
  if (!Number.isFinite(low) || !Number.isFinite(high) || !(low < high)) {
    throw new OpSpecError(`input '${name}': low (${low}) must be below high (${high})`, name);
  }
  for (let i = 0; i < size; i++) data[i] = low + (high - low) * random.uniform();
  return { name, shape: [...shape], data };
}

function flatten(values: ArrayLike<number> | NestedArray): number[] {
  if (typeof values === 'number') return [values];
  const out: number[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'number') out.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (ArrayBuffer.isView(value)) out.push(...(value as unknown as ArrayLike<number> & Iterable<number>));
    else throw new OpSpecError(`input values must be numbers, got ${typeof value}`);
  };
  if (ArrayBuffer.isView(values)) walk(values);
  else walk(Array.from(values as ArrayLike<number>, (v) => v));
  return out;
}
