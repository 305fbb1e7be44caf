// gradcheck/tfjs: checks a TensorFlow.js function, tf.customGrad ones included, against centered
// differences. The analytic side is tfjs's own gradient (tf.grads), computed by the user's own `tf`
// namespace, so exactly their tfjs version and backend are checked and gradcheck needs no tfjs of its
// own. The op goes through defineOp's evaluate/vjp path like any other engine.
//
// tfjs computes in float32: the op is marked `precision: 'float32'`, which gives it the float32
// tolerance by default (see FLOAT32_TOLERANCE) while the checker's own arithmetic stays float64.
import { defineOp } from '../spec/define.ts';
import type { InputSpec, Op, OpOptions } from '../spec/define.ts';

/** The little of a tfjs tensor that gradcheck uses. */
export interface TfTensorLike {
  readonly shape: readonly number[];
  dataSync(): ArrayLike<number>;
  dispose(): void;
}

/**
 * The little of the `tf` namespace that gradcheck uses, typed structurally so that gradcheck carries
 * no tfjs dependency: pass `import * as tf from '@tensorflow/tfjs'` as it is.
 */
export interface TfNamespaceLike<T extends TfTensorLike> {
  tensor(values: Float32Array, shape: number[], dtype: 'float32'): T;
  grads(f: (...args: T[]) => T): (args: T[], dy: T) => T[];
  tidy<R extends T | T[]>(fn: () => R): R;
}

export interface TfjsOpSpec<Name extends string, T extends TfTensorLike> extends Omit<OpOptions, 'precision'> {
  /** The caller's own tfjs namespace (`import * as tf from '@tensorflow/tfjs'`). */
  tf: TfNamespaceLike<T>;
  name: string;
  inputs: Record<Name, InputSpec>;
  /** The function under test, on float32 tensors: built-in tfjs ops, `tf.customGrad`, anything tf.grads can differentiate. */
  forward: (inputs: Record<Name, T>) => T;
  /** Overrides the float32 default tolerance for this op. */
  tolerance?: number;
}

function takesNoGradient(spec: InputSpec): boolean {
  return !Array.isArray(spec) && (spec?.grad === false || spec?.integer === true);
}

/** A gradcheck op for a tfjs function: check it with `gradcheck(op)`, `toPassGradcheck()` or `gradcheck run`. */
export function tfjsOp<Name extends string, T extends TfTensorLike>(spec: TfjsOpSpec<Name, T>): Op {
  // The op's own settings (tolerance, skip, expect, ...) pass through to defineOp, which checks their keys.
  const { tf, forward, ...settings } = spec;
  if (!tf || typeof tf.tensor !== 'function' || typeof tf.grads !== 'function' || typeof tf.tidy !== 'function') {
    throw new TypeError(`tfjsOp '${spec.name}': \`tf\` must be the tfjs namespace (import * as tf from '@tensorflow/tfjs')`);
  }
  // The output's shape as tfjs gave it at the last evaluation: the cotangent comes back flat.
  let outputShape: number[] = [];
  // The checker hands over flat float64 arrays with their shapes; tfjs gets float32 tensors of those shapes.
  const toTensors = (values: Record<Name, Float64Array>, shapes: Record<Name, number[]>): Record<Name, T> => {
    const tensors = {} as Record<Name, T>;
    for (const name of Object.keys(values) as Name[]) tensors[name] = tf.tensor(Float32Array.from(values[name]), shapes[name], 'float32');
    return tensors;
  };
  return defineOp<Name>({
    ...settings,
    precision: 'float32',
    evaluate(values, { shapes }) {
      const output = tf.tidy(() => forward(toTensors(values, shapes)));
      try {
        outputShape = [...output.shape];
        return Float64Array.from(output.dataSync());
      } finally {
        output.dispose();
      }
    },
    vjp(values, cotangent, { shapes }) {
      // tf.grads differentiates every argument it is given: a constant (indices, a target) stays
      // out of them, as a value the function closes over.
      const names = (Object.keys(values) as Name[]).filter((name) => !takesNoGradient(spec.inputs[name]));
      const gradients = tf.tidy(() => {
        const tensors = toTensors(values, shapes);
        const f = (...args: T[]): T => {
          const byName = { ...tensors };
          names.forEach((name, i) => (byName[name] = args[i]));
          return forward(byName);
        };
        const size = outputShape.reduce((a, b) => a * b, 1);
        const shape = size === cotangent.length ? outputShape : [...f(...names.map((name) => tensors[name])).shape];
        const dy = tf.tensor(Float32Array.from(cotangent), shape, 'float32');
        return tf.grads(f)(names.map((name) => tensors[name]), dy);
      });
      const result: Partial<Record<Name, Float64Array>> = {};
      names.forEach((name, i) => {
        result[name] = Float64Array.from(gradients[i].dataSync());
        gradients[i].dispose();
      });
      return result;
    },
  });
}
