// The tape: ops call `record` right after computing their forward, and
// `runBackward` replays the recorded closures in reverse topological order.
import type { Tensor } from './tensor.ts';
import { GradientCountError, GradientShapeError } from './errors.ts';
import { formatShape, sameShape } from './shape.ts';

/** Gradients for each parent, in order; null means "no gradient". */
export type BackwardFn = (grad: Tensor) => (Tensor | null)[];

/** A customOp's node: enough to call it again on its own (to check its backward alone) and to say where it was called. */
export interface CustomNode {
  inputNames?: string[];
  /** The customOp itself: calling it records a node with the same backward. */
  call: (...inputs: Tensor[]) => Tensor | Tensor[];
  /** The stack where it was called, captured only while `withCallSites` runs. */
  stack?: string;
  /** The customOp's forward-mode rule, when it has one. */
  jvp?: CustomJvp;
  /** A customOp with several outputs: its outputs, and the gradients each has been handed in this backward. */
  outputs?: readonly Tensor[];
  handed?: readonly (Tensor | null)[];
}

/** A customOp's forward-mode rule as the tape keeps it: its output (and tangent) one tensor, or one per output. */
export type CustomJvp = (tangents: (Tensor | null)[], ctx: { inputs: Tensor[]; output: Tensor | Tensor[] }) => Tensor | Tensor[];

let capturingSites = false;

/** Runs fn with every customOp call recording the stack it was called from (for naming the guilty one). */
export function withCallSites<T>(fn: () => T): T {
  const previous = capturingSites;
  capturingSites = true;
  try {
    return fn();
  } finally {
    capturingSites = previous;
  }
}

export function callSitesCaptured(): boolean {
  return capturingSites;
}

/** What the engine needs to know about a recorded node beyond `op` and `parents`. */
export interface TapeNode {
  backward: BackwardFn;
  /** Set for customOp nodes: their gradient errors are the user's, not ours. */
  custom?: CustomNode;
}

let gradEnabled = true;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

export function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = enabled;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/** Runs fn without recording anything on the tape. */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/**
 * Attaches `backward` to `out` when grad mode is on and some parent needs a
 * gradient; otherwise `out` stays a plain leaf and nothing is kept alive.
 */
export function record(
  out: Tensor,
  op: string,
  parents: Tensor[],
  backward: BackwardFn,
  custom?: TapeNode['custom'],
): Tensor {
  if (!gradEnabled || !parents.some((p) => p.requiresGrad)) return out;
  // op and parents are readonly to users; this is the one place that sets them.
  const node = out as unknown as { op: string; parents: readonly Tensor[]; node: TapeNode | null; requiresGrad: boolean };
  node.op = op;
  node.parents = parents;
  node.node = { backward, custom };
  node.requiresGrad = true;
  return out;
}

/** Parents before children; iterative so deep graphs cannot overflow the stack. */
function topoSort(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>([root]);
  const stack: [Tensor, number][] = [[root, 0]];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [node, i] = top;
    if (node.node !== null && i < node.parents.length) {
      top[1]++;
      const p = node.parents[i];
      if (p.requiresGrad && !visited.has(p)) {
        visited.add(p);
        stack.push([p, 0]);
      }
    } else {
      stack.pop();
      order.push(node);
    }
  }
  return order;
}

function inputName(node: Tensor, i: number): string {
  return node.node?.custom?.inputNames?.[i] ?? `input ${i}`;
}

function checkGradients(node: Tensor, grads: unknown): (Tensor | null)[] {
  const custom = node.node?.custom !== undefined;
  const label = custom ? `customOp '${node.op}'` : `${node.op} (internal error in a built-in backward)`;
  if (!Array.isArray(grads)) {
    throw new TypeError(`${label}: backward must return an array of gradients (Tensor or null), got ${typeof grads}`);
  }
  if (grads.length !== node.parents.length) {
    throw new GradientCountError(node.op, node.parents.length, grads.length, label);
  }
  grads.forEach((g: unknown, i) => {
    if (g === null) return;
    const expected = node.parents[i].shape;
    if (typeof g !== 'object' || !('shape' in g) || !('data' in g) || !Array.isArray(g.shape)) {
      throw new TypeError(`${label}: backward returned a non-Tensor gradient for input '${inputName(node, i)}'`);
    }
    if (!sameShape(g.shape, expected)) {
      const error = new GradientShapeError(node.op, inputName(node, i), i, expected.slice(), g.shape.slice(), label);
      error.tensor = node.parents[i];
      throw error;
    }
  });
  return grads as (Tensor | null)[];
}

/**
 * A write a customOp's backward made into data it does not own: the gradient it was handed (the
 * tape hands one gradient tensor to every consumer of an output), its saved output (which other
 * ops read in their own backward), one of its inputs, or a gradient it had already returned.
 */
export interface Trespass {
  /** The customOp's name. */
  op: string;
  into: 'gradient' | 'output' | 'input' | 'returned';
  /** For 'input' and 'returned': which input, by the customOp's name for it. */
  input?: string;
  /** The first element written, its value before and after. */
  index: number;
  before: number;
  after: number;
  /** Where the customOp was called (captured while call sites are). */
  stack?: string;
}

let trespasses: Trespass[] | undefined;

/**
 * Runs fn with every customOp backward watched: what it wrote into data it does not own. Costs a
 * copy of each customOp's gradient, output and inputs per backward, so the checker watches once.
 */
export function watchingBackwards<T>(fn: () => T): { result: T; trespasses: Trespass[] } {
  const previous = trespasses;
  const found: Trespass[] = [];
  trespasses = found;
  try {
    return { result: fn(), trespasses: found };
  } finally {
    trespasses = previous;
  }
}

/** The first element where `now` differs from `then` (NaN equal to NaN), or -1. */
function firstChange(then: Float64Array, now: Float64Array): number {
  for (let i = 0; i < then.length; i++) if (!Object.is(then[i], now[i])) return i;
  return -1;
}

/** A custom node's backward, watched: each array it was given is compared with a copy of it after. */
function watchedBackward(node: Tensor, g: Tensor, consumed: ReadonlySet<Tensor>, found: Trespass[]): unknown {
  const custom = node.node!.custom!;
  // Several outputs: the gradients handed to each, and each output (other ops may have read any).
  const handed = custom.handed ? custom.handed.filter((grad) => grad !== null) : [g];
  const outputs = custom.outputs ?? (consumed.has(node) ? [node] : []);
  const watched: { into: Trespass['into']; data: Float64Array; copy: Float64Array; input?: string }[] = [
    ...handed.map((grad) => ({ into: 'gradient' as const, data: grad.data, copy: grad.data.slice() })),
    // Its output matters only where another op read it (and may read it again in its backward).
    ...outputs.map((output) => ({ into: 'output' as const, data: output.data, copy: output.data.slice() })),
    ...node.parents.map((parent, i) => ({ into: 'input' as const, data: parent.data, copy: parent.data.slice(), input: inputName(node, i) })),
  ];
  const returned = node.node!.backward(g);
  for (const { into, data, copy, input } of watched) {
    const index = firstChange(copy, data);
    if (index >= 0) found.push({ op: node.op, into, index, before: copy[index], after: data[index], stack: custom.stack, ...(input ? { input } : {}) });
  }
  return returned;
}

export function runBackward(root: Tensor, seed: Tensor, createGraph: boolean): void {
  if (!root.requiresGrad) {
    throw new Error(
      `backward: tensor of shape ${formatShape(root.shape)} does not require grad ` +
        `(no input requires grad, or it was computed under noGrad)`,
    );
  }
  withGradMode(createGraph, () => {
    const order = topoSort(root);
    const grads = new Map<Tensor, Tensor>([[root, seed]]);
    const found = trespasses;
    const consumed = found ? new Set(order.flatMap((node) => (node.node ? node.parents : []))) : undefined;
    const returnedByCustom: { op: string; stack?: string; input: string; tensor: Tensor; copy: Float64Array }[] = [];
    for (let k = order.length - 1; k >= 0; k--) {
      const node = order[k];
      const g = grads.get(node);
      if (g === undefined) continue;
      grads.delete(node);
      if (node.node === null) {
        // Leaf: accumulate across calls like PyTorch. Without createGraph keep a
        // private copy so later in-place edits of the seed cannot leak in.
        if (node.grad === null) node.grad = createGraph ? g : g.detach();
        else node.grad = node.grad.add(g);
        continue;
      }
      const custom = found && node.node.custom;
      const inputGrads = checkGradients(node, custom ? watchedBackward(node, g, consumed!, found) : node.node.backward(g));
      if (custom) {
        inputGrads.forEach((pg, i) => pg && returnedByCustom.push({ op: node.op, stack: custom.stack, input: inputName(node, i), tensor: pg, copy: pg.data.slice() }));
      }
      for (let i = 0; i < inputGrads.length; i++) {
        const p = node.parents[i];
        const pg = inputGrads[i];
        if (pg === null || !p.requiresGrad) continue;
        const prev = grads.get(p);
        grads.set(p, prev === undefined ? pg : prev.add(pg));
      }
    }
    // A gradient a customOp returned and then changed (a buffer it reuses) corrupts what was summed from it.
    for (const { op, stack, input, tensor, copy } of returnedByCustom) {
      const index = firstChange(copy, tensor.data);
      if (index >= 0) found!.push({ op, into: 'returned', input, index, before: copy[index], after: tensor.data[index], stack });
    }
  });
}
