// Composites: their gradients come for free from the primitives they use.
import { allocate } from '../core/storage.ts';
import { Tensor } from '../core/tensor.ts';
import { noGrad } from '../core/autograd.ts';
import { ShapeError, formatShape, normalizeAxis } from '../core/shape.ts';

/** Subtracting the max (a constant: computed untracked) keeps exp from overflowing; it does not change the result. */
function shifted(x: Tensor, axis: number, op: string): Tensor {
  const ax = normalizeAxis(axis, x.shape, op);
  return x.sub(noGrad(() => x.max(ax, true)));
}

export function softmax(x: Tensor, axis = -1): Tensor {
  const e = shifted(x, axis, 'softmax').exp();
  return e.div(e.sum(axis, true));
}

export function logSoftmax(x: Tensor, axis = -1): Tensor {
  const z = shifted(x, axis, 'logSoftmax');
  return z.sub(z.exp().sum(axis, true).log());
}

/** Mean over rows of -logSoftmax(logits)[row, target]; targets are class indices (an array or a tensor of them). */
export function crossEntropy(logits: Tensor, targetsIn: ArrayLike<number> | Tensor): Tensor {
  const targets = Array.from(targetsIn instanceof Tensor ? targetsIn.data : targetsIn);
  if (logits.shape.length !== 2) {
    throw new ShapeError(`crossEntropy: expected logits of shape [N, C], got ${formatShape(logits.shape)}`);
  }
  const [n, c] = logits.shape;
  if (targets.length !== n) {
    throw new ShapeError(`crossEntropy: ${targets.length} targets for logits of shape ${formatShape(logits.shape)}`);
  }
  const oneHot = allocate(n * c);
  targets.forEach((t, row) => {
    if (!Number.isInteger(t) || t < 0 || t >= c) {
      throw new RangeError(`crossEntropy: target ${t} at row ${row} is not a class index in [0, ${c})`);
    }
    oneHot[row * c + t] = 1;
  });
  return logits.logSoftmax(-1).mul(new Tensor(oneHot, [n, c])).sum().mul(-1 / n);
}
