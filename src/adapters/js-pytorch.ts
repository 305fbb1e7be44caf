// gradcheck/js-pytorch: checks a function written with js-pytorch (npm "js-pytorch", a PyTorch-like
// library in plain JavaScript, float64) against centered differences, through its own backward. The
// caller passes their own `torch` namespace, so gradcheck carries no js-pytorch dependency and checks
// exactly the version they run.
//
// js-pytorch keeps values as nested arrays; `torch.tensor(data, requires_grad)` makes a leaf,
// `out.backward(grad)` takes the seed gradient as a tensor of the output's shape, and a leaf's
// `.grad` is its gradient as nested arrays (zeros until backward reaches it). A scalar result (a sum
// over every element) has shape [1].
import { nested, torchLikeOp } from './torch-like.ts';
import type { TorchLikeEngine } from './torch-like.ts';
import type { NestedArray } from '../core/index.ts';
import type { EngineValue, InputSpec, Op, OpOptions } from '../spec/define.ts';

/** The little of a js-pytorch tensor that gradcheck uses, typed structurally (no js-pytorch types needed). */
export interface JsPytorchTensorLike {
  readonly shape: readonly number[];
  readonly data: EngineValue;
  readonly grad: EngineValue | undefined;
  readonly requires_grad: boolean;
  backward(grad?: JsPytorchTensorLike | null): void;
}

/** The little of js-pytorch's `torch` namespace that gradcheck uses: pass `import { torch } from 'js-pytorch'` as it is. */
export interface JsPytorchLike<T extends JsPytorchTensorLike> {
  tensor(data: NestedArray, requires_grad?: boolean): T;
}

export interface JsPytorchOpSpec<Name extends string, T extends JsPytorchTensorLike> extends OpOptions {
  /** The caller's own namespace: `import { torch } from 'js-pytorch'`. */
  torch: JsPytorchLike<T>;
  name: string;
  inputs: Record<Name, InputSpec>;
  /**
   * The function under test, on fresh js-pytorch leaves (requires_grad, except inputs declared
   * `grad: false` or `integer: true`). A module's parameters are checked by assigning inputs to
   * them: `l.W = W; l.b = b; return l.forward(x)`.
   */
  forward: (inputs: Record<Name, T>) => T;
  /** Overrides the run's tolerance for this op. */
  tolerance?: number;
}

/** The torch-like engine over a js-pytorch namespace. */
export function jsPytorchEngine<T extends JsPytorchTensorLike>(torch: JsPytorchLike<T>): TorchLikeEngine<T> {
  return {
    tensor: (values, shape, requiresGrad) => torch.tensor(nested(values, shape), requiresGrad),
    read: (tensor) => ({ values: tensor.data, shape: tensor.shape }),
    // A result no leaf reaches does not require grad, and js-pytorch's backward throws on it; its
    // gradients are the leaves' zeros.
    backward: (output, cotangent) => {
      if (output.requires_grad) output.backward(cotangent);
    },
    gradient: (leaf) => leaf.grad,
  };
}

/** A gradcheck op for a js-pytorch function: check it with `gradcheck(op)`, `toPassGradcheck()` or `gradcheck run`. */
export function jsPytorchOp<Name extends string, T extends JsPytorchTensorLike>(spec: JsPytorchOpSpec<Name, T>): Op {
  const { torch, ...rest } = spec;
  if (!torch || typeof torch.tensor !== 'function') {
    throw new TypeError(`jsPytorchOp '${spec.name}': \`torch\` must be js-pytorch's namespace (import { torch } from 'js-pytorch')`);
  }
  return torchLikeOp(jsPytorchEngine(torch), rest);
}
