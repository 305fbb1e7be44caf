// One shape for every op under test, whatever computes it: f evaluated at the inputs' current
// values (which the finite-difference passes perturb in place), and the analytic vector–Jacobian
// product that the backward under test produces.
import { GradientCountError, GradientShapeError, Tensor, noGrad } from '../core/index.ts';
import { watchingBackwards, withCallSites } from '../core/autograd.ts';
import type { CustomJvp, Trespass } from '../core/autograd.ts';
import { FOREIGN_TENSOR, isForeignTensor } from '../core/tensor.ts';
import type { AnyEngineOpSpec, Dimension, Op, OpSpec, TensorOpSpec } from '../spec/define.ts';
import type { MaterializedInput } from '../spec/inputs.ts';
import { OpSpecError } from '../spec/inputs.ts';
import type { Diagnosis } from '../model/report.ts';
import { concat } from './numeric/vectors.ts';

export interface Problem {
  readonly inputs: MaterializedInput[];
  /** f at the inputs' current values, with no tape. */
  evaluate(): Float64Array;
  /** The same, handed fresh copies of the inputs (new arrays and tensors): a forward that caches by object answers differently. */
  evaluateFresh?(): Float64Array;
  /**
   * The gradient of dot(cotangent, f) for each input; null where the backward produced none. With
   * several outputs, `present` says which receive a gradient: the others receive none (a tape's
   * customOp gets null for them, an engine zeros), as if nothing used them.
   */
  vjp(cotangent: Float64Array, present?: readonly boolean[]): (Float64Array | null)[];
  /** An op with several outputs: how f lays them out end to end (known after the first evaluation); undefined for one output. */
  outputs?(): OutputPart[] | undefined;
  /** The same, watched for writes into data the backward does not own (its cotangent; a tape's customOps' gradients, outputs and inputs). */
  watchedVjp?(cotangent: Float64Array): { gradients: (Float64Array | null)[]; trespasses: Trespass[] };
  /** How many times each input feeds the computation, as the last vjp recorded it (tape engines only). */
  uses?(): number[];
  /** Which input a tensor of the last vjp's tape is, if it is one (tape engines only). */
  inputOf?(tensor: unknown): number | undefined;
  /** The customOp calls a forward at the current inputs records, in the order they ran (tape engines only). */
  customCalls?(): CustomCall[];
  /** The engine's forward-mode rule, when it has one: J·v for one tangent per input (null for none). */
  jvp?(tangents: (Float64Array | null)[]): Float64Array;
}

/** One output of an op with several, as f lays them out end to end. */
export interface OutputPart {
  /** The record's key, or the array's index as a string. */
  name: string;
  shape: number[];
  offset: number;
  size: number;
}

/** An output as messages name it: output 'h', output 1. */
export function outputLabel(name: string): string {
  return /^\d+$/.test(name) ? `output ${name}` : `output '${name}'`;
}

/** One call of a customOp on the tape: what it was given, so that its backward can be checked alone. */
export interface CustomCall {
  name: string;
  call: (...inputs: Tensor[]) => Tensor | Tensor[];
  inputNames: string[];
  inputs: { data: Float64Array; shape: number[]; grad: boolean }[];
  /** The stack of the call, for its site in the user's code. */
  stack?: string;
  /** The customOp's forward-mode rule, when it has one. */
  jvp?: CustomJvp;
}

/** Something the op itself did wrong while running: reported as the op's error, in one line. */
export class OpRunError extends Error {
  constructor(message: string, readonly input?: string) {
    super(message);
    this.name = 'OpRunError';
  }
}

/**
 * The backward ran and returned a gradient of the wrong shape: a wrong gradient (the op fails),
 * not a failure to run. Carries the diagnosis that says which input and how.
 */
export class WrongShapeGradient extends OpRunError {
  /** `shape`: the input's, as checked (named dimensions at their sizes). */
  constructor(message: string, input: string | undefined, readonly diagnosis: Diagnosis, readonly shape?: number[]) {
    super(message, input);
    this.name = 'WrongShapeGradient';
  }
}

/**
 * The element-wise check makes two forward evaluations per input element: above this many elements
 * in all it would run for hours, so it is refused with a pointer to `--mode fast`.
 */
export const ELEMENT_WISE_LIMIT = 1_000_000;

/** Refuses inputs too large to check element by element (call only in element-wise mode). */
export function assertElementWiseSize(inputs: MaterializedInput[]): void {
  const total = inputs.reduce((n, input) => n + input.data.length, 0);
  if (total <= ELEMENT_WISE_LIMIT) return;
  const largest = inputs.reduce((a, b) => (b.data.length > a.data.length ? b : a));
  const count = (n: number) => n.toLocaleString('en-US');
  throw new OpSpecError(
    `too large to check element-wise: ${count(total)} input elements (input '${largest.name}' has ${count(largest.data.length)}, shape [${largest.shape.join(', ')}]) ` +
      `would take ${count(2 * total)} forward evaluations; the limit is ${count(ELEMENT_WISE_LIMIT)} elements: use --mode fast`,
    largest.name,
  );
}

export function isTensorSpec(spec: OpSpec): spec is TensorOpSpec<string> {
  return typeof (spec as TensorOpSpec<string>).forward === 'function';
}

/** `dims`: the named dimensions' sizes, for an engine's declared output shape. */
export function createProblem(op: Op, inputs: MaterializedInput[], dims: Record<string, number> = {}): Problem {
  const spec = op.spec;
  if (isTensorSpec(spec)) return tensorProblem(spec, inputs);
  const engine = spec as AnyEngineOpSpec<string>;
  if (typeof engine.evaluate === 'function' && typeof engine.vjp === 'function') return engineProblem(engine, inputs, dims);
  throw new OpSpecError('an op needs either `forward` (tensor ops) or both `evaluate` and `vjp` (any engine)');
}

function tensorProblem(spec: TensorOpSpec<string>, inputs: MaterializedInput[]): Problem {
  // The leaves share their data arrays with `inputs`, so an in-place perturbation is seen by forward.
  const leaves = inputs.map((input) => new Tensor(input.data, input.shape, !input.constant));
  const byName: Record<string, Tensor> = {};
  inputs.forEach((input, i) => (byName[input.name] = leaves[i]));
  let layout: OutputPart[] | undefined;
  let several = false;
  const runForward = (given = byName): TensorOutputs => {
    const outputs = tensorOutputs(guard('forward', () => spec.forward(given)), 'forward');
    // Every evaluation is compared with the first: an output of another shape has no cotangent.
    if (!layout) {
      layout = laidOut(outputs.map(({ name, tensor }) => ({ name, shape: [...tensor.shape] })));
      several = !(outputs.length === 1 && outputs[0].name === ONE_OUTPUT);
    }
    sameLayout(layout, outputs.map(({ name, tensor }) => ({ name, shape: tensor.shape })));
    return outputs;
  };
  const flat = (outputs: TensorOutputs): Float64Array => (outputs.length === 1 ? outputs[0].tensor.data : concat(outputs.map(({ tensor }) => tensor.data)));
  let uses: number[] = inputs.map(() => 0);
  return {
    inputs,
    evaluate: () => flat(noGrad(() => runForward())),
    evaluateFresh: () => {
      const fresh: Record<string, Tensor> = {};
      inputs.forEach((input) => (fresh[input.name] = new Tensor(Float64Array.from(input.data), [...input.shape], !input.constant)));
      return Float64Array.from(flat(noGrad(() => runForward(fresh))));
    },
    outputs: () => (several ? layout : undefined),
    uses: () => uses,
    customCalls: () => {
      for (const leaf of leaves) leaf.zeroGrad();
      const outputs = withCallSites(() => runForward());
      return recordedCustomCalls(outputs.map(({ tensor }) => tensor));
    },
    inputOf: (tensor) => {
      const k = leaves.indexOf(tensor as Tensor);
      return k < 0 ? undefined : k;
    },
    vjp,
    watchedVjp(cotangent) {
      const { result, trespasses } = watchingBackwards(() => withCallSites(() => vjp(cotangent)));
      return { gradients: result, trespasses };
    },
  };
  function vjp(cotangent: Float64Array, present?: readonly boolean[]): (Float64Array | null)[] {
    for (const leaf of leaves) leaf.zeroGrad();
    const outputs = runForward();
    uses = countUses(outputs.map(({ tensor }) => tensor), leaves);
    if (outputs.length === 1 && !present) {
      const [{ tensor: output }] = outputs;
      if (output.requiresGrad) guard('backward', () => output.backward(new Tensor(Float64Array.from(cotangent), [...output.shape])));
    } else {
      const scalar = weightedSum(outputs, layout!, cotangent, present);
      if (scalar) guard('backward', () => scalar.backward());
    }
    return leaves.map((leaf, k) => (leaf.grad && !inputs[k].constant ? Float64Array.from(leaf.grad.data) : null));
  }
}

/** An op's outputs by name: one (named ONE_OUTPUT), or the array's or the record's. */
export type TensorOutputs = { name: string; tensor: Tensor }[];

/** The name of the output of an op that has one. */
export const ONE_OUTPUT = 'output';

/** A forward's result as its outputs: a Tensor, an array of tensors, or a record of them. */
export function tensorOutputs(value: unknown, phase: string): TensorOutputs {
  if (value instanceof Tensor) return [{ name: ONE_OUTPUT, tensor: value }];
  const what = `${phase} must return a Tensor, an array of tensors or a record of tensors`;
  if (isForeignTensor(value)) throw new OpRunError(`${phase} must return a Tensor, got ${FOREIGN_TENSOR}`);
  const entries = Array.isArray(value) ? value.map((tensor, i) => [String(i), tensor] as const)
    : isPlainRecord(value) ? Object.entries(value)
    : undefined;
  if (!entries) throw new OpRunError(`${what}, got ${describe(value)}`);
  if (entries.length === 0) throw new OpRunError(`${what}, got ${Array.isArray(value) ? 'an empty array' : 'an empty record'}`);
  for (const [name, tensor] of entries) {
    if (!(tensor instanceof Tensor)) throw new OpRunError(`${what}: ${outputLabel(name)} is ${isForeignTensor(tensor) ? FOREIGN_TENSOR : describe(tensor)}`);
  }
  return entries.map(([name, tensor]) => ({ name, tensor: tensor as Tensor }));
}

/** An object literal ({ h, c }): a record of outputs, not a class instance or an array. */
function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype;
}

/**
 * Σₖ vₖ · outputₖ over the outputs present, as one scalar on the tape: its backward hands each
 * output exactly its part of the cotangent (and none to an output left out). Undefined when no
 * output present depends on an input that takes a gradient.
 */
export function weightedSum(outputs: TensorOutputs, layout: OutputPart[], cotangent: Float64Array, present?: readonly boolean[]): Tensor | undefined {
  let total: Tensor | undefined;
  outputs.forEach(({ tensor }, k) => {
    if (present && !present[k]) return;
    if (!tensor.requiresGrad) return;
    const { offset, size, shape } = layout[k];
    const term = tensor.mul(new Tensor(cotangent.slice(offset, offset + size), [...shape])).sum();
    total = total ? total.add(term) : term;
  });
  return total;
}

/** Each output's place in f: laid end to end in order. */
export function laidOut(parts: { name: string; shape: number[] }[]): OutputPart[] {
  let offset = 0;
  return parts.map(({ name, shape }) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const part = { name, shape, offset, size };
    offset += size;
    return part;
  });
}

/** An evaluation's outputs against the first's: the same names, each of the same shape. */
function sameLayout(layout: OutputPart[], parts: { name: string; shape: readonly number[] }[]): void {
  const names = (list: { name: string }[]) => list.map(({ name }) => name).join(', ');
  if (parts.length !== layout.length || parts.some(({ name }, k) => name !== layout[k].name)) {
    throw new OpRunError(`the outputs changed between evaluations, from ${names(layout)} to ${names(parts)}`);
  }
  parts.forEach(({ name, shape }, k) => {
    const first = layout[k].shape;
    if (shape.length !== first.length || shape.some((n, i) => n !== first[i])) {
      const which = layout.length === 1 && name === ONE_OUTPUT ? "the output's shape" : `the shape of ${outputLabel(name)}`;
      throw new OpRunError(`${which} changed between evaluations, from [${first.join(', ')}] to [${shape.join(', ')}]`);
    }
  });
}

/** The customOp nodes of a tape, parents before children, each with a copy of what it was given. */
function recordedCustomCalls(outputs: Tensor[]): CustomCall[] {
  const calls: CustomCall[] = [];
  const seen = new Set<Tensor>(outputs);
  // Iterative post-order (deep graphs would overflow recursion): parents before children.
  const stack: [Tensor, number][] = outputs.map((output) => [output, 0]);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [node, next] = top;
    if (node.node !== null && next < node.parents.length) {
      top[1]++;
      const parent = node.parents[next];
      if (!seen.has(parent)) {
        seen.add(parent);
        stack.push([parent, 0]);
      }
      continue;
    }
    stack.pop();
    const custom = node.node?.custom;
    if (!custom) continue;
    calls.push({
      name: node.op,
      call: custom.call,
      inputNames: node.parents.map((_, i) => custom.inputNames?.[i] ?? `input ${i}`),
      inputs: node.parents.map((parent) => ({ data: Float64Array.from(parent.data), shape: [...parent.shape], grad: parent.requiresGrad })),
      stack: custom.stack,
      ...(custom.jvp ? { jvp: custom.jvp } : {}),
    });
  }
  return calls;
}

/** Edges from recorded nodes to each leaf: the number of times it is used on the tape. */
function countUses(outputs: Tensor[], leaves: Tensor[]): number[] {
  const counts = new Map<Tensor, number>(leaves.map((leaf) => [leaf, 0]));
  const seen = new Set<Tensor>();
  const stack = [...outputs];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node) || node.node === null) continue;
    seen.add(node);
    for (const parent of node.parents) {
      if (counts.has(parent)) counts.set(parent, counts.get(parent)! + 1);
      else stack.push(parent);
    }
  }
  return leaves.map((leaf) => counts.get(leaf)!);
}

function engineProblem(spec: AnyEngineOpSpec<string>, inputs: MaterializedInput[], dims: Record<string, number>): Problem {
  const byName: Record<string, Float64Array> = {};
  const shapes: Record<string, number[]> = {};
  for (const input of inputs) {
    byName[input.name] = input.data;
    shapes[input.name] = input.shape;
  }
  // Set by the first evaluation: how evaluate lays out its outputs, each with its shape.
  let outputs: EngineOutputs | undefined;
  const read = (value: unknown, phase: string): Float64Array => {
    const found = engineOutputs(value, spec, dims, phase);
    outputs ??= found;
    return found.values;
  };
  const { jvp } = spec;
  return {
    inputs,
    ...(jvp
      ? {
          jvp(tangents: (Float64Array | null)[]) {
            const byInput: Record<string, Float64Array> = {};
            inputs.forEach((input, k) => (byInput[input.name] = tangents[k] ?? new Float64Array(input.data.length)));
            return engineOutputs(guard('jvp', () => jvp(byName, byInput, { shapes })), spec, dims, 'jvp').values;
          },
        }
      : {}),
    evaluate: () => read(guard('evaluate', () => spec.evaluate(byName, { shapes })), 'evaluate'),
    evaluateFresh() {
      const fresh: Record<string, Float64Array> = {};
      for (const input of inputs) fresh[input.name] = Float64Array.from(input.data);
      return read(guard('evaluate', () => spec.evaluate(fresh, { shapes })), 'evaluate');
    },
    outputs: () => (outputs && outputs.form !== 'one' ? outputs.parts : undefined),
    vjp: (cotangent, present) => vjp(cotangent, present).gradients,
    watchedVjp: (cotangent) => vjp(cotangent),
  };
  function vjp(cotangent: Float64Array, present?: readonly boolean[]): { gradients: (Float64Array | null)[]; trespasses: Trespass[] } {
    const layout = outputs ?? { form: 'one' as const, parts: laidOut([{ name: ONE_OUTPUT, shape: cotangent.length === 1 ? [] : [cotangent.length] }]), values: cotangent };
    // Each output's cotangent a fresh array the engine may not write into (zeros for one checked as unused).
    const handed = layout.parts.map(({ offset, size }, k) => (present && !present[k] ? new Float64Array(size) : cotangent.slice(offset, offset + size)));
    const given = handed.map((part) => Float64Array.from(part));
    const structured = <T>(each: T[]): T | T[] | Record<string, T> =>
      layout.form === 'one' ? each[0] : layout.form === 'list' ? each : Object.fromEntries(layout.parts.map(({ name }, k) => [name, each[k]]));
    const outputShape = structured(layout.parts.map(({ shape }) => [...shape]));
    const grads = guard('vjp', () => (spec.vjp as EngineVjp)(byName, structured(given), { shapes, outputShape }));
    const trespasses: Trespass[] = [];
    given.forEach((part, k) => {
      const written = part.findIndex((v, i) => !Object.is(v, handed[k][i]));
      if (written >= 0) trespasses.push({ op: 'vjp', into: 'gradient', index: layout.parts[k].offset + written, before: handed[k][written], after: part[written] });
    });
    if (grads === null || typeof grads !== 'object') {
      throw new OpRunError(`vjp must return an object with one gradient per input, got ${describe(grads)}`);
    }
    const gradients = inputs.map((input) => {
      // A constant's gradient is not expected: omitted, null or given, it is not looked at.
      if (input.constant) return null;
      const grad = (grads as Record<string, unknown>)[input.name];
      if (grad === undefined || grad === null) {
        throw new OpRunError(`vjp returned no gradient for input '${input.name}' (an input that takes none is declared with grad: false)`, input.name);
      }
      // Copied: an engine that reuses its gradient buffer must not change an earlier answer.
      const { values } = toFloat64(grad, `vjp (input '${input.name}')`);
      if (values.length !== input.data.length) {
        const message = `vjp returned ${values.length} values for input '${input.name}', which has ${input.data.length} elements (shape [${input.shape.join(', ')}])`;
        throw new WrongShapeGradient(message, input.name, { code: 'wrong-shape', input: input.name, message: `${message}: the gradient of an input has its shape.` }, input.shape);
      }
      return values;
    });
    return { gradients, trespasses };
  }
}

/** An engine's vjp as the checker calls it, whatever the structure of its outputs. */
type EngineVjp = (inputs: Record<string, Float64Array>, cotangent: unknown, context: { shapes: Record<string, number[]>; outputShape: unknown }) => unknown;

/** An engine's outputs laid end to end: one, a list (named by `outputs`) or a record; each part with its shape. */
interface EngineOutputs {
  form: 'one' | 'list' | 'record';
  parts: OutputPart[];
  values: Float64Array;
}

/**
 * What evaluate (or jvp) returned, as outputs laid end to end, as the op declares them: one output
 * (of the shape `outputShape` gives, else its own), or several named by `outputs`, an array of
 * names (evaluate returns an array in that order) or a record of their shapes (evaluate returns a
 * record of those keys; a null shape is the one the values come in).
 */
function engineOutputs(value: unknown, spec: AnyEngineOpSpec<string>, dims: Record<string, number>, phase: string): EngineOutputs {
  const declared = spec.outputs as string[] | Record<string, Dimension[] | null> | undefined;
  if (declared === undefined) {
    const { values, shape } = toFloat64(value, phase);
    const given = declaredOutputShape(spec.outputShape as Dimension[] | undefined, dims, values.length, phase, ONE_OUTPUT);
    return { form: 'one', parts: laidOut([{ name: ONE_OUTPUT, shape: given ?? shape }]), values };
  }
  const list = Array.isArray(declared);
  const names = list ? declared : Object.keys(declared);
  const isRecord = isPlainRecord(value);
  const keys = isRecord ? Object.keys(value as object) : [];
  if (list ? !Array.isArray(value) || value.length !== names.length : !isRecord || keys.length !== names.length || names.some((name) => !keys.includes(name))) {
    const wanted = list ? `an array of ${names.length} outputs (${names.join(', ')})` : `a record of the outputs ${names.join(', ')}`;
    throw new OpRunError(`${phase} must return ${wanted}, as the op's \`outputs\` declares, got ${isRecord ? `a record of ${keys.join(', ') || 'nothing'}` : describe(value)}`);
  }
  const parts = names.map((name, k) => {
    const { values, shape } = toFloat64(list ? (value as unknown[])[k] : (value as Record<string, unknown>)[name], `${phase} (${outputLabel(name)})`);
    const given = list ? undefined : (declared as Record<string, Dimension[] | null>)[name] ?? undefined;
    return { name, values, shape: declaredOutputShape(given, dims, values.length, phase, name) ?? shape };
  });
  return { form: list ? 'list' : 'record', parts: laidOut(parts), values: concat(parts.map(({ values }) => values)) };
}

/** The shape the op declares for an output it returns flat, its named dimensions at their sizes; checked against the values' count. */
function declaredOutputShape(declared: Dimension[] | undefined, dims: Record<string, number>, count: number, phase: string, name: string): number[] | undefined {
  if (declared === undefined) return undefined;
  const shape = declared.map((d) => (typeof d === 'string' ? dims[d] : d));
  if (shape.some((n) => typeof n !== 'number' || !Number.isInteger(n) || n < 0)) {
    throw new OpSpecError(`outputShape of ${outputLabel(name)} must be sizes or named dimensions of the op, got [${declared.join(', ')}]`);
  }
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== count) {
    throw new OpRunError(`${phase} returned ${count} values for ${name === ONE_OUTPUT ? 'its output' : outputLabel(name)}, whose declared shape [${shape.join(', ')}] has ${size}`);
  }
  return shape;
}

/** An engine's number, array-like or nested arrays as a fresh flat Float64Array, and the shape it had. */
function toFloat64(value: unknown, where: string): { values: Float64Array; shape: number[] } {
  if (typeof value === 'number') return { values: Float64Array.of(value), shape: [] };
  // An engine's output is values only: a Tensor of another copy of gradcheck gives them as well as ours.
  if (value instanceof Tensor || isForeignTensor(value)) return { values: Float64Array.from(value.data), shape: [...value.shape] };
  if (ArrayBuffer.isView(value)) return { values: Float64Array.from(value as unknown as ArrayLike<number>), shape: [(value as unknown as ArrayLike<number>).length] };
  if (Array.isArray(value)) {
    const shape: number[] = [];
    for (let level: unknown = value; Array.isArray(level); level = level[0]) shape.push(level.length);
    const flat: number[] = [];
    const walk = (node: unknown, depth: number, path: string): void => {
      if (depth === shape.length) {
        if (typeof node !== 'number') throw new OpRunError(`${where} must return numbers, got ${describe(node)} at ${path}`);
        flat.push(node);
        return;
      }
      if (!Array.isArray(node) || node.length !== shape[depth]) {
        throw new OpRunError(`${where} returned ragged nested arrays: ${path} has ${Array.isArray(node) ? `length ${node.length}` : describe(node)} where ${shape[depth]} was expected`);
      }
      node.forEach((child, i) => walk(child, depth + 1, `${path}[${i}]`));
    };
    walk(value, 0, 'output');
    return { values: Float64Array.from(flat), shape };
  }
  if (value !== null && typeof value === 'object' && typeof (value as ArrayLike<number>).length === 'number') {
    return { values: Float64Array.from(value as ArrayLike<number>), shape: [(value as ArrayLike<number>).length] };
  }
  throw new OpRunError(`${where} must return a number or an array of numbers, got ${describe(value)}`);
}

/**
 * Runs one phase of the op's own code (forward, backward, evaluate, vjp): what it throws becomes
 * one line naming the phase, with the original as `cause` and its stack kept. Errors that already
 * say exactly what is wrong pass through: the checker's own, and the engine's checks of a
 * backward's answer (which name the op, the input and the shapes).
 */
export function guard<T>(phase: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof OpRunError || error instanceof OpSpecError) throw error;
    if (error instanceof GradientCountError || error instanceof GradientShapeError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    const kind = error instanceof Error && error.name !== 'Error' ? ` ${error.name}` : '';
    const wrapped = new OpRunError(`${phase} threw${kind}: ${message}`);
    if (error instanceof Error) {
      wrapped.stack = error.stack;
      wrapped.cause = error;
    }
    throw wrapped;
  }
}

const attached = new WeakMap<object, Diagnosis[]>();

/** An error that brings diagnoses along (a custom backward's transposed shape): the report shows them beside it. */
export function withDiagnoses<E>(error: E, diagnoses: Diagnosis[]): E {
  if (typeof error === 'object' && error !== null) attached.set(error, [...(attached.get(error) ?? []), ...diagnoses]);
  return error;
}

export function diagnosesOf(error: unknown): Diagnosis[] {
  return (typeof error === 'object' && error !== null && attached.get(error)) || [];
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'an object';
  return typeof value;
}
