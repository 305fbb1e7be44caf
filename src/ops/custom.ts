import { FOREIGN_TENSOR, Tensor, isForeignTensor } from '../core/tensor.ts';
import { callSitesCaptured, noGrad, record } from '../core/autograd.ts';

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
export function customOp(spec: CustomOpSpec): (...inputs: Tensor[]) => Tensor {
  const { name, forward, backward, jvp } = spec;
  const inputNames = spec.inputNames ?? parameterNames(forward);
  if (jvp) customOpsWithJvp++;
  const call = (...inputs: Tensor[]): Tensor => {
    const result: unknown = noGrad(() => forward(...inputs));
    if (!(result instanceof Tensor)) {
      throw new TypeError(`customOp '${name}': forward must return a Tensor, got ${isForeignTensor(result) ? FOREIGN_TENSOR : result === null ? 'null' : typeof result}`);
    }
    // A fresh node, so the tape entry never lands on an input the forward returned as is.
    const output = new Tensor(inputs.some((x) => x.data === result.data) ? result.data.slice() : result.data, result.shape);
    const stack = callSitesCaptured() ? new Error().stack : undefined;
    return record(output, name, inputs, (g) => backward(g, { inputs, output }), { inputNames, call, stack, ...(jvp ? { jvp } : {}) });
  };
  return call;
}
