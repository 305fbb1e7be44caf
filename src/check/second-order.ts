// `--order 2`: the gradient of the gradient. The first-order gradient of v · f(x) (for a fixed,
// seeded cotangent v) becomes the function under test: its values come from a backward pass, and
// its own vector–Jacobian product from differentiating that backward through the tape
// (backward with createGraph). The checker then runs on it unchanged, as JAX's check_grads(order=2)
// and PyTorch's gradgradcheck do.
import { Tensor } from '../core/index.ts';
import type { Op } from '../spec/define.ts';
import type { MaterializedInput } from '../spec/inputs.ts';
import { OpSpecError } from '../spec/inputs.ts';
import { DRAW, drawCotangent } from './draws.ts';
import { guard, isTensorSpec, laidOut, ONE_OUTPUT, OpRunError, tensorOutputs, weightedSum } from './problem.ts';
import type { Problem } from './problem.ts';
import { concat } from './numeric/vectors.ts';

export function secondOrderProblem(op: Op, inputs: MaterializedInput[], seed: number): Problem {
  const spec = op.spec;
  if (!isTensorSpec(spec)) {
    throw new OpSpecError('--order 2 needs an op with `forward` (gradcheck tensor ops): an evaluate/vjp engine has no tape to differentiate its vjp through');
  }
  const leaves = inputs.map((input) => new Tensor(input.data, input.shape, !input.constant));
  const byName: Record<string, Tensor> = {};
  inputs.forEach((input, i) => (byName[input.name] = leaves[i]));
  let cotangent: Float64Array | undefined;

  /** The first-order gradients, recorded on the tape when createGraph is set. */
  const firstOrder = (createGraph: boolean): (Tensor | null)[] => {
    for (const leaf of leaves) leaf.zeroGrad();
    // Several outputs: the first-order gradient is that of Σₖ vₖ · outputₖ, each vₖ its own draw.
    const outputs = tensorOutputs(guard('forward', () => spec.forward(byName)), 'forward');
    const layout = laidOut(outputs.map(({ name, tensor }) => ({ name, shape: [...tensor.shape] })));
    const several = outputs.length > 1 || outputs[0].name !== ONE_OUTPUT;
    const size = layout.reduce((n, part) => n + part.size, 0);
    cotangent ??= several
      ? concat(layout.map(({ name, size: n }) => drawCotangent(seed, `${DRAW.secondOrderCotangent(op.name)}/${name}`, n, { randomForScalar: true })))
      : drawCotangent(seed, DRAW.secondOrderCotangent(op.name), size);
    if (cotangent.length !== size) throw new OpRunError(`the outputs changed size from ${cotangent.length} to ${size} elements between evaluations`);
    const scalar = weightedSum(outputs, layout, cotangent);
    if (!scalar) return leaves.map(() => null);
    guard('backward', () => scalar.backward(undefined, { createGraph }));
    const grads = leaves.map((leaf) => leaf.grad);
    for (const leaf of leaves) leaf.zeroGrad();
    return grads;
  };

  return {
    inputs,
    // The function under test is the first-order gradient of the inputs that take one.
    evaluate() {
      const grads = firstOrder(false);
      return concat(grads.flatMap((grad, k) => (inputs[k].constant ? [] : [grad?.data ?? new Float64Array(inputs[k].data.length)])));
    },
    vjp(w) {
      const grads = firstOrder(true);
      let offset = 0;
      let total: Tensor | undefined;
      grads.forEach((grad, k) => {
        if (inputs[k].constant) return;
        const size = inputs[k].data.length;
        if (grad?.requiresGrad) {
          const weight = new Tensor(w.slice(offset, offset + size), [...inputs[k].shape]);
          const term = grad.mul(weight).sum();
          total = total ? total.add(term) : term;
        }
        offset += size;
      });
      // A gradient that does not depend on the inputs (a linear op) has a zero second derivative.
      if (!total) return leaves.map(() => null);
      const scalar = total;
      guard('backward of the backward', () => scalar.backward());
      const result = leaves.map((leaf, k) => (leaf.grad && !inputs[k].constant ? Float64Array.from(leaf.grad.data) : null));
      for (const leaf of leaves) leaf.zeroGrad();
      return result;
    },
  };
}
