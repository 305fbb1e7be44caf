// gradcheck/torch-like: one adapter for every tensor library shaped like PyTorch: leaf tensors that
// record a gradient, `output.backward(cotangent)`, and `.grad` read back from the leaves. An engine
// is four small functions (make a leaf, read a tensor, run backward, read a gradient); torchLikeOp
// turns a forward written in that library into an op on defineOp's evaluate/vjp path, so the
// analytic side is exactly the library's own backward.
//
// Every evaluation builds fresh leaves: a library that accumulates into `.grad` starts from nothing
// each time, and nothing of one evaluation's graph leaks into the next.
import { defineOp } from '../spec/define.ts';
import type { EngineValue, InputSpec, Op, OpOptions } from '../spec/define.ts';
import type { NestedArray } from '../core/index.ts';

/** What gradcheck needs of a tensor library: the four operations of a PyTorch-like autograd. */
export interface TorchLikeEngine<T> {
  /**
   * A new tensor holding `values` (flat, row-major, a copy it may keep) in `shape` ([] for a
   * scalar). With `requiresGrad` it is a leaf whose gradient backward records; without, a constant
   * (an input declared `grad: false`, and the cotangent).
   */
  tensor(values: Float64Array, shape: readonly number[], requiresGrad: boolean): T;
  /** A tensor's values (a number, a flat row-major array-like or nested arrays) and its shape. */
  read(tensor: T): { values: EngineValue; shape: readonly number[] };
  /** Backpropagates from `output`, seeded with `cotangent`: a constant tensor of the output's shape. */
  backward(output: T, cotangent: T): void;
  /** The gradient backward left on a leaf; null or undefined where none reached it (read as zeros). */
  gradient(leaf: T): EngineValue | null | undefined;
}

export interface TorchLikeOpSpec<Name extends string, T> extends OpOptions {
  name: string;
  inputs: Record<Name, InputSpec>;
  /** The function under test, on the library's tensors (one per input, by name). */
  forward: (inputs: Record<Name, T>) => T;
}

/** A gradcheck op for a forward written in a PyTorch-like library: check it with `gradcheck(op)`, `toPassGradcheck()` or `gradcheck run`. */
export function torchLikeOp<Name extends string, T>(engine: TorchLikeEngine<T>, spec: TorchLikeOpSpec<Name, T>): Op {
  // Math.random inside forward (a Dropout's mask) is replayed by the checker at every evaluation.
  // The op's own settings (tolerance, skip, expect, ...) pass through to defineOp, which checks their keys.
  const { forward, ...settings } = spec;
  const run = (leaves: Record<Name, T>): T => forward(leaves);
  // Leaves track their gradient in evaluate too, so that the function differenced is the very code
  // path the backward differentiates. Each gets a copy of the values: a library that wraps the array
  // it is given, and a forward that changes a leaf in place, must not move the checker's inputs.
  const leaves = (values: Record<Name, Float64Array>, shapes: Record<Name, number[]>): Record<Name, T> => {
    const made = {} as Record<Name, T>;
    for (const name of Object.keys(values) as Name[]) {
      made[name] = engine.tensor(Float64Array.from(values[name]), shapes[name], takesGradient(spec.inputs[name]));
    }
    return made;
  };
  return defineOp<Name>({
    ...settings,
    evaluate(values, { shapes }) {
      return engine.read(run(leaves(values, shapes))).values;
    },
    vjp(values, cotangent, { shapes }) {
      const inputs = leaves(values, shapes);
      const output = run(inputs);
      engine.backward(output, engine.tensor(cotangent, engine.read(output).shape, false));
      const gradients: Partial<Record<Name, EngineValue>> = {};
      for (const name of Object.keys(inputs) as Name[]) {
        if (!takesGradient(spec.inputs[name])) continue;
        gradients[name] = engine.gradient(inputs[name]) ?? new Float64Array(values[name].length);
      }
      return gradients;
    },
  });
}

/** Flat row-major values as nested arrays of `shape` (a number for the scalar shape []): what nested-array libraries take. */
export function nested(values: ArrayLike<number>, shape: readonly number[]): NestedArray {
  const build = (dim: number, offset: number, stride: number): NestedArray => {
    if (dim === shape.length) return values[offset];
    const inner = stride / shape[dim];
    return Array.from({ length: shape[dim] }, (_, i) => build(dim + 1, offset + i * inner, inner));
  };
  return build(0, 0, shape.reduce((size, d) => size * d, 1));
}

/** Whether an input is differentiated: not `grad: false`, not `integer: true`. */
function takesGradient(spec: InputSpec): boolean {
  return Array.isArray(spec) || (spec?.grad !== false && spec?.integer !== true);
}
