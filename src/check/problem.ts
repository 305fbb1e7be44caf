// One shape for every op under test, whatever computes it: f evaluated at the inputs' current
// values (which the finite-difference passes perturb in place), and the analytic vector–Jacobian
// product that the backward under test produces.
import { GradientCountError, GradientShapeError, Tensor, noGrad } from '../core/index.ts';
import { watchingBackwards, withCallSites } from '../core/autograd.ts';
import type { Trespass } from '../core/autograd.ts';
import { FOREIGN_TENSOR, isForeignTensor } from '../core/tensor.ts';
import type { EngineOpSpec, Op, OpSpec, TensorOpSpec } from '../spec/define.ts';
import type { MaterializedInput } from '../spec/inputs.ts';
import { OpSpecError } from '../spec/inputs.ts';
import type { Diagnosis } from '../model/report.ts';

export interface Problem {
  readonly inputs: MaterializedInput[];
  /** f at the inputs' current values, with no tape. */
  evaluate(): Float64Array;
  /** The same, handed fresh copies of the inputs (new arrays and tensors): a forward that caches by object answers differently. */
  evaluateFresh?(): Float64Array;
  /** The gradient of dot(cotangent, f) for each input; null where the backward produced none. */
  vjp(cotangent: Float64Array): (Float64Array | null)[];
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

/** One call of a customOp on the tape: what it was given, so that its backward can be checked alone. */
export interface CustomCall {
  name: string;
  call: (...inputs: Tensor[]) => Tensor;
  inputNames: string[];
  inputs: { data: Float64Array; shape: number[]; grad: boolean }[];
  /** The stack of the call, for its site in the user's code. */
  stack?: string;
  /** The customOp's forward-mode rule, when it has one. */
  jvp?: (tangents: (Tensor | null)[], ctx: { inputs: Tensor[]; output: Tensor }) => Tensor;
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

export function createProblem(op: Op, inputs: MaterializedInput[]): Problem {
  const spec = op.spec;
  if (isTensorSpec(spec)) return tensorProblem(spec, inputs);
  const engine = spec as EngineOpSpec<string>;
  if (typeof engine.evaluate === 'function' && typeof engine.vjp === 'function') return engineProblem(engine, inputs);
  throw new OpSpecError('an op needs either `forward` (tensor ops) or both `evaluate` and `vjp` (any engine)');
}

function tensorProblem(spec: TensorOpSpec<string>, inputs: MaterializedInput[]): Problem {
  // The leaves share their data arrays with `inputs`, so an in-place perturbation is seen by forward.
  const leaves = inputs.map((input) => new Tensor(input.data, input.shape, !input.constant));
  const byName: Record<string, Tensor> = {};
  inputs.forEach((input, i) => (byName[input.name] = leaves[i]));
  let firstShape: readonly number[] | undefined;
  const runForward = (given = byName): Tensor => {
    const output = guard('forward', () => spec.forward(given));
    if (!(output instanceof Tensor)) {
      throw new OpRunError(`forward must return a Tensor, got ${isForeignTensor(output) ? FOREIGN_TENSOR : describe(output)}`);
    }
    // Every evaluation is compared with the first: an output of another shape has no cotangent.
    firstShape ??= [...output.shape];
    if (output.shape.length !== firstShape.length || output.shape.some((n, i) => n !== firstShape![i])) {
      throw new OpRunError(`the output's shape changed between evaluations, from [${firstShape.join(', ')}] to [${output.shape.join(', ')}]`);
    }
    return output;
  };
  let uses: number[] = inputs.map(() => 0);
  return {
    inputs,
    evaluate: () => noGrad(() => runForward()).data,
    evaluateFresh: () => {
      const fresh: Record<string, Tensor> = {};
      inputs.forEach((input) => (fresh[input.name] = new Tensor(Float64Array.from(input.data), [...input.shape], !input.constant)));
      return Float64Array.from(noGrad(() => runForward(fresh)).data);
    },
    uses: () => uses,
    customCalls: () => {
      for (const leaf of leaves) leaf.zeroGrad();
      const output = withCallSites(() => runForward());
      return recordedCustomCalls(output);
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
  function vjp(cotangent: Float64Array): (Float64Array | null)[] {
    for (const leaf of leaves) leaf.zeroGrad();
    const output = runForward();
    uses = countUses(output, leaves);
    if (output.requiresGrad) {
      const seed = new Tensor(Float64Array.from(cotangent), [...output.shape]);
      guard('backward', () => output.backward(seed));
    }
    return leaves.map((leaf, k) => (leaf.grad && !inputs[k].constant ? Float64Array.from(leaf.grad.data) : null));
  }
}

/** The customOp nodes of a tape, parents before children, each with a copy of what it was given. */
function recordedCustomCalls(output: Tensor): CustomCall[] {
  const calls: CustomCall[] = [];
  const seen = new Set<Tensor>([output]);
  // Iterative post-order (deep graphs would overflow recursion): parents before children.
  const stack: [Tensor, number][] = [[output, 0]];
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
function countUses(output: Tensor, leaves: Tensor[]): number[] {
  const counts = new Map<Tensor, number>(leaves.map((leaf) => [leaf, 0]));
  const seen = new Set<Tensor>();
  const stack = [output];
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

function engineProblem(spec: EngineOpSpec<string>, inputs: MaterializedInput[]): Problem {
  const byName: Record<string, Float64Array> = {};
  const shapes: Record<string, number[]> = {};
  for (const input of inputs) {
    byName[input.name] = input.data;
    shapes[input.name] = input.shape;
  }
  let outputShape: number[] = [];
  const { jvp } = spec;
  return {
    inputs,
    ...(jvp
      ? {
          jvp(tangents: (Float64Array | null)[]) {
            const byInput: Record<string, Float64Array> = {};
            inputs.forEach((input, k) => (byInput[input.name] = tangents[k] ?? new Float64Array(input.data.length)));
            return toFloat64(guard('jvp', () => jvp(byName, byInput, { shapes })), 'jvp').values;
          },
        }
      : {}),
    evaluate() {
      const output = guard('evaluate', () => spec.evaluate(byName, { shapes }));
      const { values, shape } = toFloat64(output, 'evaluate');
      outputShape = shape;
      return values;
    },
    evaluateFresh() {
      const fresh: Record<string, Float64Array> = {};
      for (const input of inputs) fresh[input.name] = Float64Array.from(input.data);
      return toFloat64(guard('evaluate', () => spec.evaluate(fresh, { shapes })), 'evaluate').values;
    },
    vjp: (cotangent) => vjp(cotangent).gradients,
    watchedVjp: (cotangent) => vjp(cotangent),
  };
  function vjp(cotangent: Float64Array): { gradients: (Float64Array | null)[]; trespasses: Trespass[] } {
    if (outputShape.length === 0 && cotangent.length !== 1) outputShape = [cotangent.length];
    const handed = Float64Array.from(cotangent);
    const grads = guard('vjp', () => spec.vjp(byName, handed, { shapes, outputShape }));
    const written = handed.findIndex((v, i) => !Object.is(v, cotangent[i]));
    const trespasses: Trespass[] = written < 0 ? [] : [{ op: 'vjp', into: 'gradient', index: written, before: cotangent[written], after: handed[written] }];
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
