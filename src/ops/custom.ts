import { FOREIGN_TENSOR, Tensor, isForeignTensor } from '../core/tensor.ts';
import { callSitesCaptured, noGrad, record } from '../core/autograd.ts';
import type { CustomJvp, CustomNode } from '../core/autograd.ts';

export interface CustomOpSpec {
  name: string;
  forward: (...inputs: Tensor[]) => Tensor;
  backward: (grad: Tensor, ctx: { inputs: Tensor[]; output: Tensor }) => (Tensor | null)[];
  /** Used in error messages; defaults to 'input 0', 'input 1', ... */
  inputNames?: string[];
  /**
   * The forward-mode rule, if the op has one: the output's tangent from one tangent per input (null
   * for none). gradcheck checks it against finite differences and against `backward`.
   */
  jvp?: (tangents: (Tensor | null)[], ctx: { inputs: Tensor[]; output: Tensor }) => Tensor;
}

/**
 * A customOp with several outputs (an LSTM cell's h and c): `forward` returns an array of tensors;
 * `backward` receives one gradient per output, null for an output that received none (nothing
 * used it), and `output`, the array.
 */
export interface MultiOutputCustomOpSpec {
  name: string;
  forward: (...inputs: Tensor[]) => Tensor[];
  backward: (grads: (Tensor | null)[], ctx: { inputs: Tensor[]; output: Tensor[] }) => (Tensor | null)[];
  inputNames?: string[];
  /** The forward-mode rule: one tangent per output from one per input (null for none). */
  jvp?: (tangents: (Tensor | null)[], ctx: { inputs: Tensor[]; output: Tensor[] }) => Tensor[];
}

let customOpsWithJvp = 0;

/**
 * The names a function gives its parameters, as its source writes them: `(x, w) => …` names its
 * inputs x and w in messages. Undefined for anything but plain names (destructuring, defaults, rest).
 */
export function parameterNames(fn: (...args: never[]) => unknown): string[] | undefined {
  const source = Function.prototype.toString.call(fn);
  const list = /^\s*(?:async\s+)?(?:function\b[^(]*)?\(([^)]*)\)/.exec(source)?.[1] ?? /^\s*(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/.exec(source)?.[1];
  if (list === undefined) return undefined;
  const names = list.split(',').map((part) => part.replace(/\/\*.*?\*\//g, '').replace(/:.*$/s, '').trim()).filter((part) => part !== '');
  return names.length > 0 && names.every((name) => /^[A-Za-z_$][\w$]*$/.test(name)) ? names : undefined;
}

/**
 * Whether any customOp made so far has a jvp: until one has, no tape can hold a forward-mode rule,
 * and the checker need not run a forward just to look for one.
 */
export function anyCustomJvp(): boolean {
  return customOpsWithJvp > 0;
}

/**
 * Wraps a user-defined forward/backward pair as one tape node. The engine
 * validates what backward returns (count and shapes) and names this op and
 * the offending input when it is wrong. Backward runs with grad mode on under
 * createGraph, so a backward built from tensor ops supports second order.
 */
export function customOp(spec: CustomOpSpec): (...inputs: Tensor[]) => Tensor;
export function customOp(spec: MultiOutputCustomOpSpec): (...inputs: Tensor[]) => Tensor[];
export function customOp(spec: CustomOpSpec | MultiOutputCustomOpSpec): (...inputs: Tensor[]) => Tensor | Tensor[] {
  const { name, forward, backward, jvp } = spec as CustomOpSpec;
  const inputNames = spec.inputNames ?? parameterNames(forward);
  if (jvp) customOpsWithJvp++;
  const call = (...inputs: Tensor[]): Tensor | Tensor[] => {
    const result: unknown = noGrad(() => forward(...inputs));
    const stack = callSitesCaptured() ? new Error().stack : undefined;
    const node = { inputNames, call, stack, ...(jvp ? { jvp: jvp as CustomJvp } : {}) };
    if (Array.isArray(result)) return severalOutputs(spec as MultiOutputCustomOpSpec, inputs, result, node);
    // A fresh node, so the tape entry never lands on an input the forward returned as is.
    const output = new Tensor(ownData(checkedOutput(name, result), inputs), (result as Tensor).shape);
    return record(output, name, inputs, (g) => backward(g, { inputs, output }), node);
  };
  return call;
}

function checkedOutput(name: string, result: unknown, which = ''): Tensor {
  if (result instanceof Tensor) return result;
  // Another copy's Tensor is a Tensor all the same: the message is about the copy, not about arrays.
  const got = isForeignTensor(result) ? FOREIGN_TENSOR : result === null ? 'null' : typeof result;
  const wanted = which ? ` at ${which}` : isForeignTensor(result) ? '' : ' or an array of them';
  throw new TypeError(`customOp '${name}': forward must return a Tensor${wanted}, got ${got}`);
}

/** The output's data, copied where it is an input's own (a node must never share an input's array). */
function ownData(output: Tensor, inputs: Tensor[]): Float64Array {
  return inputs.some((x) => x.data === output.data) ? output.data.slice() : output.data;
}

/**
 * Several outputs on a one-output tape: a hidden node of no elements holds the customOp (its
 * inputs, its backward), and each output is a node on it whose backward only hands its gradient
 * over. The tape runs every output's before the hidden one's (children before parents), so that
 * one backward call gets every gradient, null for an output none reached.
 */
function severalOutputs(spec: MultiOutputCustomOpSpec, inputs: Tensor[], results: unknown[], node: CustomNode): Tensor[] {
  if (results.length === 0) throw new TypeError(`customOp '${spec.name}': forward returned an empty array: it needs at least one output`);
  const outputs = results.map((result, i) => {
    const checked = checkedOutput(spec.name, result, `output ${i}`);
    return new Tensor(ownData(checked, inputs), checked.shape);
  });
  const handed: (Tensor | null)[] = outputs.map(() => null);
  const hub = record(new Tensor(new Float64Array(0), [0]), spec.name, inputs, () => {
    const grads = handed.slice();
    handed.fill(null);
    return spec.backward(grads, { inputs, output: outputs });
  }, { ...node, outputs, handed });
  if (hub.node === null) return outputs;
  const nothing = new Tensor(new Float64Array(0), [0]);
  outputs.forEach((output, i) => record(output, `${spec.name} (output ${i})`, [hub], (g) => {
    handed[i] = handed[i] === null ? g : handed[i]!.add(g);
    return [nothing];
  }));
  return outputs;
}
