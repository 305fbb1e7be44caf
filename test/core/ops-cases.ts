// The op cases that test/core/torch-ops.test.ts runs against torch and test/core/ops-gradients.test.ts
// against finite differences: each an expression tree over seeded inputs, evaluated here with
// gradcheck's tensors and, in test/core/torch_ops.py, with torch (which reads the same tree).
import { Tensor, concat, noGrad, stack, where } from '../../src/core/index.ts';

export type Expr = { input: number } | { value: number } | ({ op: string; of: Expr[] } & Record<string, unknown>);

export interface InputSpec {
  shape: number[];
  data: number[];
  grad: boolean;
}

export interface OpCase {
  name: string;
  /** The op under test (a composite case names the op it was written for). */
  op: string;
  inputs: InputSpec[];
  expr: Expr;
  /** Written to put the op inside a larger expression (set on COMPOSITES). */
  composite?: boolean;
  /** Inputs sit on a kink or a tie on purpose (clamp's bounds, maximum's ties): finite differences do not apply there. */
  atKinks?: boolean;
}

/** Deterministic pseudo-random numbers so failures reproduce. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Draw {
  min?: number;
  max?: number;
  /** Values this close to 0 are pushed out to this distance (keeps away from kinks and from zero). */
  awayFromZero?: number;
  /** Values written over the draw at these flat positions (a zero for cumprod, a tie for maximum). */
  set?: Record<number, number>;
  grad?: boolean;
}

export function input(shape: number[], seed: number, { min = -1, max = 1, awayFromZero = 0, set = {}, grad = true }: Draw = {}): InputSpec {
  const r = rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const data = Array.from({ length: n }, () => {
    const v = min + (max - min) * r();
    return Math.abs(v) < awayFromZero ? Math.sign(v || 1) * (awayFromZero + r() * (max - awayFromZero)) : v;
  });
  for (const [i, v] of Object.entries(set)) data[Number(i)] = v;
  return { shape, data, grad };
}

export const x0: Expr = { input: 0 };
export const x1: Expr = { input: 1 };
export const x2: Expr = { input: 2 };
export const value = (v: number): Expr => ({ value: v });
export const call = (op: string, of: Expr[], params: Record<string, unknown> = {}): Expr => ({ op, of, ...params });

type Value = Tensor | number | Tensor[];

const tensorOf = (v: Value): Tensor => {
  if (!(v instanceof Tensor)) throw new TypeError(`expected a tensor, got ${Array.isArray(v) ? 'a list' : typeof v}`);
  return v;
};

const UNARY = ['sin', 'cos', 'tan', 'erf', 'log1p', 'expm1', 'sign', 'exp', 'log', 'tanh', 'neg', 'square', 'sigmoid', 'abs'] as const;
const BINARY = ['add', 'sub', 'mul', 'div', 'matmul', 'minimum', 'maximum'] as const;

/** The expression's value with gradcheck's tensors; `leaves` are the inputs. */
export function evaluate(expr: Expr, leaves: Tensor[]): Value {
  // The parameters are whatever the case wrote beside `of`: the ops' own checks see them as given.
  const p = expr as Record<string, any>;
  if (typeof p.op !== 'string') return typeof p.input === 'number' ? leaves[p.input] : (p.value as number);
  const args = (p.of as Expr[]).map((e) => evaluate(e, leaves));
  const a = args[0];
  const t = () => tensorOf(a);
  const op = p.op as string;
  if ((UNARY as readonly string[]).includes(op)) return t()[op as (typeof UNARY)[number]]();
  if ((BINARY as readonly string[]).includes(op)) {
    const b = args[1];
    if (op === 'matmul') return t().matmul(tensorOf(b));
    return t()[op as Exclude<(typeof BINARY)[number], 'matmul'>](typeof b === 'number' ? b : tensorOf(b));
  }
  switch (op) {
    case 'clamp': return t().clamp(p.min, p.max);
    case 'where': {
      const cond = p.cond as { shape: number[]; data: number[] };
      const pick = (v: Value) => (typeof v === 'number' ? v : tensorOf(v));
      return where(new Tensor(Float64Array.from(cond.data), cond.shape), pick(args[0]), pick(args[1]));
    }
    case 'min': return t().min(p.axis, p.keepDims);
    case 'max': return t().max(p.axis, p.keepDims);
    case 'sum': return t().sum(p.axis, p.keepDims);
    case 'logsumexp': return t().logsumexp(p.axis, p.keepDims);
    case 'cumsum': return t().cumsum(p.axis);
    case 'cumprod': return t().cumprod(p.axis);
    case 'narrow': return t().narrow(p.axis, p.start, p.length);
    case 'pad': return t().pad(p.widths, p.value);
    case 'concat': return concat(args.map(tensorOf), p.axis);
    case 'stack': return stack(args.map(tensorOf), p.axis);
    case 'split': return t().split(p.sizes, p.axis);
    case 'weightedCat': return concat((a as Tensor[]).map((piece, i) => piece.reshape([-1]).mul(i + 1)));
    case 'flip': return t().flip(p.axes);
    case 'squeeze': return t().squeeze(p.axis);
    case 'unsqueeze': return t().unsqueeze(p.axis);
    case 'sort': return t().sort(p.axis, p.descending);
    case 'topk': return t().topk(p.k, p.axis, p.largest);
    case 'reshape': return t().reshape(p.shape);
    case 'pow': return t().pow(p.p);
    default: throw new Error(`no op '${op}' in the case evaluator`);
  }
}

export function leavesOf(c: OpCase): Tensor[] {
  return c.inputs.map((i) => new Tensor(Float64Array.from(i.data), i.shape, i.grad));
}

/** The fixed cotangent for an output of `size` values, and the fixed weights for each input's gradient. */
export const cotangentOf = (size: number): number[] => Array.from({ length: size }, (_, i) => Math.cos(i + 1));
export const weightsOf = (c: OpCase): number[][] =>
  c.inputs.map((i, k) => i.data.map((_, j) => Math.sin(j + 2 + 3 * k)));

export interface Derivatives {
  shape: number[];
  output: Float64Array;
  /** d(cotangent · output)/d input, per input (zeros where an input has none). */
  gradients: Float64Array[];
  /** d(Σ_k gradient_k · weights_k)/d input: a Hessian-vector product, through the recorded backward. */
  hvps: Float64Array[];
}

/** Output, first-order gradients (backward with createGraph) and Hessian-vector products (a second backward). */
export function derivatives(c: OpCase): Derivatives {
  const leaves = leavesOf(c);
  const out = tensorOf(evaluate(c.expr, leaves));
  const cotangent = new Tensor(Float64Array.from(cotangentOf(out.size)), out.shape);
  out.mul(cotangent).sum().backward(undefined, { createGraph: true });
  const first = leaves.map((leaf) => leaf.grad);
  const weights = weightsOf(c);
  leaves.forEach((leaf) => leaf.zeroGrad());
  let total: Tensor | null = null;
  first.forEach((g, k) => {
    if (g === null || !g.requiresGrad) return;
    const term = g.mul(new Tensor(Float64Array.from(weights[k]), g.shape)).sum();
    total = total === null ? term : total.add(term);
  });
  if (total !== null) (total as Tensor).backward();
  const flat = (g: Tensor | null, leaf: Tensor) => (g === null ? new Float64Array(leaf.size) : Float64Array.from(g.data));
  return {
    shape: out.shape,
    output: Float64Array.from(out.data),
    gradients: first.map((g, k) => flat(g, leaves[k])),
    hvps: leaves.map((leaf) => flat(leaf.grad, leaf)),
  };
}

/** The loss the first-order gradients are of, untracked, for finite differences. */
export function lossOf(c: OpCase, leaves: Tensor[]): number {
  return noGrad(() => {
    const out = tensorOf(evaluate(c.expr, leaves));
    return out.mul(new Tensor(Float64Array.from(cotangentOf(out.size)), out.shape)).sum().item();
  });
}

// --- the cases ------------------------------------------------------------------------------

const unaryCases = (op: string, draw: Draw): OpCase[] =>
  ([[2, 3], [], [4, 1, 2]] as number[][]).map((shape, k) => ({
    name: `${op} ${JSON.stringify(shape)}`, op, inputs: [input(shape, 100 + k, draw)], expr: call(op, [x0]),
  }));

const ELEMENTWISE: OpCase[] = [
  ...unaryCases('sin', { min: -3, max: 3 }),
  ...unaryCases('cos', { min: -3, max: 3 }),
  ...unaryCases('tan', { min: -1.4, max: 1.4 }),
  ...unaryCases('erf', { min: -4, max: 4 }),
  ...unaryCases('log1p', { min: -0.9, max: 3 }),
  ...unaryCases('expm1', { min: -2, max: 2 }),
  ...unaryCases('sign', { min: -1, max: 1 }),
  { name: 'sign with a zero', op: 'sign', inputs: [input([5], 110, { set: { 2: 0 } })], expr: call('sign', [x0]), atKinks: true },
  { name: 'clamp(-0.5, 0.5)', op: 'clamp', inputs: [input([3, 4], 111)], expr: call('clamp', [x0], { min: -0.5, max: 0.5 }) },
  { name: 'clamp(min) only', op: 'clamp', inputs: [input([6], 112)], expr: call('clamp', [x0], { min: 0.1 }) },
  { name: 'clamp(max) only', op: 'clamp', inputs: [input([2, 1, 3], 113)], expr: call('clamp', [x0], { max: -0.2 }) },
  {
    name: 'clamp with values on both bounds (gradient 1 there)', op: 'clamp', atKinks: true,
    inputs: [input([6], 114, { set: { 1: -0.5, 4: 0.5 } })], expr: call('clamp', [x0], { min: -0.5, max: 0.5 }),
  },
  { name: 'clamp with min > max (all max, gradient 0)', op: 'clamp', inputs: [input([4], 115)], expr: call('clamp', [x0], { min: 0.6, max: -0.6 }) },
  ...(['maximum', 'minimum'] as const).flatMap((op): OpCase[] => [
    { name: `${op} [2, 3] [2, 3]`, op, inputs: [input([2, 3], 120), input([2, 3], 121)], expr: call(op, [x0, x1]) },
    { name: `${op} [2, 3] [3]`, op, inputs: [input([2, 3], 122), input([3], 123)], expr: call(op, [x0, x1]) },
    { name: `${op} [2, 1] [1, 3]`, op, inputs: [input([2, 1], 124), input([1, 3], 125)], expr: call(op, [x0, x1]) },
    { name: `${op} [] [2, 2]`, op, inputs: [input([], 126), input([2, 2], 127)], expr: call(op, [x0, x1]) },
    { name: `${op} with a number`, op, inputs: [input([5], 128)], expr: call(op, [x0, value(0.2)]) },
    {
      name: `${op} with ties (each side gets half)`, op, atKinks: true,
      inputs: [input([4], 129, { set: { 0: 0.25, 2: -0.5 } }), input([4], 130, { set: { 0: 0.25, 2: -0.5 } })],
      expr: call(op, [x0, x1]),
    },
    {
      name: `${op} broadcast against itself with ties`, op, atKinks: true,
      inputs: [input([3, 1], 131, { set: { 1: 0.3 } }), input([1, 3], 132, { set: { 0: 0.3 } })],
      expr: call(op, [x0, x1]),
    },
  ]),
  {
    name: 'where [2, 3] [2, 3] [2, 3]', op: 'where', inputs: [input([2, 3], 140), input([2, 3], 141)],
    expr: call('where', [x0, x1], { cond: { shape: [2, 3], data: [1, 0, 0, 1, 1, 0] } }),
  },
  {
    name: 'where cond [3], a [2, 1], b [1, 3]', op: 'where', inputs: [input([2, 1], 142), input([1, 3], 143)],
    expr: call('where', [x0, x1], { cond: { shape: [3], data: [0, 1, 0] } }),
  },
  {
    name: 'where cond [2, 1], a [], b [2, 3]', op: 'where', inputs: [input([], 144), input([2, 3], 145)],
    expr: call('where', [x0, x1], { cond: { shape: [2, 1], data: [1, 0] } }),
  },
  {
    name: 'where with a number for a', op: 'where', inputs: [input([4], 146)],
    expr: call('where', [value(2.5), x0], { cond: { shape: [4], data: [1, 0, 1, 0] } }),
  },
];

const x234 = (seed: number, draw: Draw = {}) => input([2, 3, 4], seed, draw);

const REDUCTIONS: OpCase[] = [
  ...([undefined, 0, -1, [0, 2], 1] as (number | number[] | undefined)[]).flatMap((axis, k): OpCase[] =>
    [false, true].flatMap((keepDims) => [
      { name: `min axis ${JSON.stringify(axis)} keepDims ${keepDims}`, op: 'min', inputs: [x234(200 + k)], expr: call('min', [x0], { axis, keepDims }) },
      { name: `logsumexp axis ${JSON.stringify(axis)} keepDims ${keepDims}`, op: 'logsumexp', inputs: [x234(210 + k, { min: -3, max: 3 })], expr: call('logsumexp', [x0], { axis, keepDims }) },
    ])),
  { name: 'min over a size-1 axis', op: 'min', inputs: [input([3, 1, 2], 220)], expr: call('min', [x0], { axis: 1 }) },
  { name: 'logsumexp over a size-1 axis', op: 'logsumexp', inputs: [input([3, 1, 2], 221)], expr: call('logsumexp', [x0], { axis: -2 }) },
  // Values near 800 would overflow exp unshifted; that is checked exactly in ops-gradients.test.ts, not
  // here: at that magnitude x − logsumexp(x) is rounded at 1e-13, in torch as here, which is above 1e-12 of a
  // second derivative. A wide range still has terms of very different sizes.
  { name: 'logsumexp of a wide range', op: 'logsumexp', inputs: [input([2, 5], 222, { min: -30, max: 30 })], expr: call('logsumexp', [x0], { axis: 1 }) },
  { name: 'cumsum [5] axis 0', op: 'cumsum', inputs: [input([5], 230)], expr: call('cumsum', [x0], { axis: 0 }) },
  { name: 'cumsum [2, 3, 4] axis 1', op: 'cumsum', inputs: [x234(231)], expr: call('cumsum', [x0], { axis: 1 }) },
  { name: 'cumsum [2, 3, 4] axis -1', op: 'cumsum', inputs: [x234(232)], expr: call('cumsum', [x0], { axis: -1 }) },
  { name: 'cumsum [3, 1] axis 1 (size 1)', op: 'cumsum', inputs: [input([3, 1], 233)], expr: call('cumsum', [x0], { axis: 1 }) },
  { name: 'cumprod [5] axis 0', op: 'cumprod', inputs: [input([5], 240, { min: -1.5, max: 1.5, awayFromZero: 0.5 })], expr: call('cumprod', [x0], { axis: 0 }) },
  { name: 'cumprod [2, 3, 4] axis -2', op: 'cumprod', inputs: [x234(241, { min: -1.5, max: 1.5, awayFromZero: 0.5 })], expr: call('cumprod', [x0], { axis: -2 }) },
  { name: 'cumprod [3, 1] axis 1 (size 1)', op: 'cumprod', inputs: [input([3, 1], 242)], expr: call('cumprod', [x0], { axis: 1 }) },
  { name: 'cumprod [6] with a zero', op: 'cumprod', inputs: [input([6], 243, { min: -1.5, max: 1.5, awayFromZero: 0.5, set: { 2: 0 } })], expr: call('cumprod', [x0], { axis: 0 }) },
  { name: 'cumprod [6] with two zeros', op: 'cumprod', inputs: [input([6], 244, { min: -1.5, max: 1.5, awayFromZero: 0.5, set: { 1: 0, 4: 0 } })], expr: call('cumprod', [x0], { axis: 0 }) },
  { name: 'cumprod [6] with a zero first and last', op: 'cumprod', inputs: [input([6], 245, { min: -1.5, max: 1.5, awayFromZero: 0.5, set: { 0: 0, 5: 0 } })], expr: call('cumprod', [x0], { axis: -1 }) },
  {
    name: 'cumprod [2, 3, 4] axis 1 with zeros in some slices', op: 'cumprod',
    inputs: [x234(246, { min: -1.5, max: 1.5, awayFromZero: 0.5, set: { 5: 0, 14: 0, 22: 0 } })], expr: call('cumprod', [x0], { axis: 1 }),
  },
];

const MOVEMENT: OpCase[] = [
  { name: 'narrow [4, 3] axis 0 from 1, 2', op: 'narrow', inputs: [input([4, 3], 300)], expr: call('narrow', [x0], { axis: 0, start: 1, length: 2 }) },
  { name: 'narrow [2, 3, 4] axis -1 from -3, 2', op: 'narrow', inputs: [x234(301)], expr: call('narrow', [x0], { axis: -1, start: -3, length: 2 }) },
  { name: 'narrow [2, 3, 4] axis 1, all of it', op: 'narrow', inputs: [x234(302)], expr: call('narrow', [x0], { axis: 1, start: 0, length: 3 }) },
  { name: 'narrow [5] to one value', op: 'narrow', inputs: [input([5], 303)], expr: call('narrow', [x0], { axis: 0, start: 4, length: 1 }) },
  { name: 'pad [2, 3] by [[1, 0], [2, 1]]', op: 'pad', inputs: [input([2, 3], 310)], expr: call('pad', [x0], { widths: [[1, 0], [2, 1]] }) },
  { name: 'pad [3] by [[0, 2]] with 1.5', op: 'pad', inputs: [input([3], 311)], expr: call('pad', [x0], { widths: [[0, 2]], value: 1.5 }) },
  { name: 'pad [2, 1, 2] on the middle axis', op: 'pad', inputs: [input([2, 1, 2], 312)], expr: call('pad', [x0], { widths: [[0, 0], [1, 1], [0, 0]], value: -1 }) },
  { name: 'concat [2, 3] and [1, 3] on axis 0', op: 'concat', inputs: [input([2, 3], 320), input([1, 3], 321)], expr: call('concat', [x0, x1], { axis: 0 }) },
  {
    name: 'concat three on axis -1, one constant', op: 'concat',
    inputs: [input([2, 1], 322), input([2, 3], 323, { grad: false }), input([2, 2], 324)], expr: call('concat', [x0, x1, x2], { axis: -1 }),
  },
  { name: 'concat [2, 3, 4] twice on axis 1', op: 'concat', inputs: [x234(325), x234(326)], expr: call('concat', [x0, x1], { axis: 1 }) },
  { name: 'stack two [2, 3] on axis 0', op: 'stack', inputs: [input([2, 3], 330), input([2, 3], 331)], expr: call('stack', [x0, x1], { axis: 0 }) },
  { name: 'stack two [2, 3] on axis -1', op: 'stack', inputs: [input([2, 3], 332), input([2, 3], 333)], expr: call('stack', [x0, x1], { axis: -1 }) },
  { name: 'stack three [3] on axis 1', op: 'stack', inputs: [input([3], 334), input([3], 335), input([3], 336)], expr: call('stack', [x0, x1, x2], { axis: 1 }) },
  { name: 'split [5, 2] in chunks of 2', op: 'split', inputs: [input([5, 2], 340)], expr: call('weightedCat', [call('split', [x0], { sizes: 2, axis: 0 })]) },
  { name: 'split [2, 6] into [1, 3, 2] on axis -1', op: 'split', inputs: [input([2, 6], 341)], expr: call('weightedCat', [call('split', [x0], { sizes: [1, 3, 2], axis: -1 })]) },
  { name: 'split [3, 2] into [0, 3]', op: 'split', inputs: [input([3, 2], 342)], expr: call('weightedCat', [call('split', [x0], { sizes: [0, 3], axis: 0 })]) },
  { name: 'flip [2, 3] axis 0', op: 'flip', inputs: [input([2, 3], 350)], expr: call('flip', [x0], { axes: 0 }) },
  { name: 'flip [2, 3, 4] axes [0, 2]', op: 'flip', inputs: [x234(351)], expr: call('flip', [x0], { axes: [0, 2] }) },
  { name: 'flip [2, 3, 4] axis -1', op: 'flip', inputs: [x234(352)], expr: call('flip', [x0], { axes: [-1] }) },
  { name: 'squeeze [2, 1, 3] all', op: 'squeeze', inputs: [input([2, 1, 3], 360)], expr: call('squeeze', [x0]) },
  { name: 'squeeze [2, 1, 3] axis -2', op: 'squeeze', inputs: [input([2, 1, 3], 361)], expr: call('squeeze', [x0], { axis: -2 }) },
  { name: 'squeeze [2, 1, 3] axis 0 (not size 1: unchanged)', op: 'squeeze', inputs: [input([2, 1, 3], 362)], expr: call('squeeze', [x0], { axis: 0 }) },
  { name: 'squeeze [2, 1, 3, 1] axes [1, 3]', op: 'squeeze', inputs: [input([2, 1, 3, 1], 363)], expr: call('squeeze', [x0], { axis: [1, 3] }) },
  { name: 'unsqueeze [2, 3] axis 0', op: 'unsqueeze', inputs: [input([2, 3], 370)], expr: call('unsqueeze', [x0], { axis: 0 }) },
  { name: 'unsqueeze [2, 3] axis -1', op: 'unsqueeze', inputs: [input([2, 3], 371)], expr: call('unsqueeze', [x0], { axis: -1 }) },
  { name: 'unsqueeze [] axis 0', op: 'unsqueeze', inputs: [input([], 372)], expr: call('unsqueeze', [x0], { axis: 0 }) },
  { name: 'sort [7]', op: 'sort', inputs: [input([7], 380)], expr: call('sort', [x0]) },
  { name: 'sort [3, 4] axis 0 descending', op: 'sort', inputs: [input([3, 4], 381)], expr: call('sort', [x0], { axis: 0, descending: true }) },
  { name: 'sort [2, 3, 4] axis 1', op: 'sort', inputs: [x234(382)], expr: call('sort', [x0], { axis: 1 }) },
  { name: 'sort [2, 3, 4] axis -1 descending', op: 'sort', inputs: [x234(383)], expr: call('sort', [x0], { axis: -1, descending: true }) },
  { name: 'topk [6] k 3', op: 'topk', inputs: [input([6], 390)], expr: call('topk', [x0], { k: 3 }) },
  { name: 'topk [3, 5] k 2 axis -1', op: 'topk', inputs: [input([3, 5], 391)], expr: call('topk', [x0], { k: 2, axis: -1 }) },
  { name: 'topk [4, 3] k 1 axis 0 smallest', op: 'topk', inputs: [input([4, 3], 392)], expr: call('topk', [x0], { k: 1, axis: 0, largest: false }) },
  { name: 'topk [2, 3, 4] k 4 axis 2 (all)', op: 'topk', inputs: [x234(393)], expr: call('topk', [x0], { k: 4, axis: 2 }) },
];

const xy = (sx: number[], sy: number[], seed: number, draw: Draw = {}) => [input(sx, seed, draw), input(sy, seed + 1, draw)];

/** Each op inside a larger expression, where its second derivative meets the others'. */
const COMPOSITES: OpCase[] = [
  { name: 'sin(x)·y, logsumexp over axis 1, summed', op: 'logsumexp', inputs: xy([3, 4], [3, 4], 400), expr: call('sum', [call('logsumexp', [call('mul', [call('sin', [x0]), x1])], { axis: 1 })]) },
  { name: 'cumsum of concat(exp(x), x·y) on axis 0', op: 'concat', inputs: xy([2, 3], [1, 3], 402), expr: call('cumsum', [call('concat', [call('exp', [x0]), call('mul', [call('narrow', [x0], { axis: 0, start: 0, length: 1 }), x1])], { axis: 0 })], { axis: 0 }) },
  { name: 'sort of x·y, times x', op: 'sort', inputs: xy([2, 5], [2, 5], 404), expr: call('mul', [call('sort', [call('mul', [x0, x1])], { axis: -1 }), x0]) },
  { name: 'topk of x @ y, squared', op: 'topk', inputs: xy([3, 4], [4, 5], 406), expr: call('square', [call('topk', [call('matmul', [x0, x1])], { k: 2 })]) },
  { name: 'cumprod of tanh(x) + 1.5 along axis 0, times y', op: 'cumprod', inputs: xy([4, 3], [4, 3], 408), expr: call('mul', [call('cumprod', [call('add', [call('tanh', [x0]), value(1.5)])], { axis: 0 }), x1]) },
  {
    name: 'cumprod of x·y with zeros in x, times y', op: 'cumprod',
    inputs: [input([5], 410, { awayFromZero: 0.4, set: { 1: 0, 3: 0 } }), input([5], 411, { awayFromZero: 0.4 })],
    expr: call('mul', [call('cumprod', [call('mul', [x0, x1])], { axis: 0 }), x1]),
  },
  { name: 'narrow of flip of pad of x², times y', op: 'pad', inputs: xy([2, 3], [4, 3], 412), expr: call('mul', [call('narrow', [call('flip', [call('pad', [call('square', [x0])], { widths: [[1, 1], [0, 1]], value: 0.5 })], { axes: [0, 1] })], { axis: 1, start: 1, length: 3 }), x1]) },
  { name: 'where(c, sin x, cos y) maximum x·y', op: 'where', inputs: xy([2, 3], [2, 3], 414), expr: call('maximum', [call('where', [call('sin', [x0]), call('cos', [x1])], { cond: { shape: [3], data: [1, 0, 1] } }), call('mul', [x0, x1])]) },
  { name: 'expm1(clamp(x·y, -0.3, 0.3)) · x', op: 'clamp', inputs: xy([3, 3], [3, 3], 416), expr: call('mul', [call('expm1', [call('clamp', [call('mul', [x0, x1])], { min: -0.3, max: 0.3 })]), x0]) },
  { name: 'log1p(erf(x·y)/2)', op: 'erf', inputs: xy([2, 4], [4], 418, { min: -2, max: 2 }), expr: call('log1p', [call('mul', [call('erf', [call('mul', [x0, x1])]), value(0.5)])]) },
  { name: 'tan(x·y/2)·sign(y)·x', op: 'tan', inputs: xy([2, 3], [2, 3], 420, { awayFromZero: 0.1 }), expr: call('mul', [call('mul', [call('tan', [call('mul', [call('mul', [x0, x1]), value(0.5)])]), call('sign', [x1])]), x0]) },
  { name: 'split of x·y, each piece weighted', op: 'split', inputs: xy([5, 2], [2], 422), expr: call('weightedCat', [call('split', [call('mul', [x0, x1])], { sizes: [2, 3] })]) },
  { name: 'min over axis 1 of stack(sin x, cos y, x·y)', op: 'stack', inputs: xy([4], [4], 424), expr: call('min', [call('stack', [call('sin', [x0]), call('cos', [x1]), call('mul', [x0, x1])], { axis: 1 })], { axis: 1 }) },
  { name: 'logsumexp of squeeze(unsqueeze(x)·unsqueeze(y))', op: 'unsqueeze', inputs: xy([3], [1, 4], 426), expr: call('logsumexp', [call('squeeze', [call('mul', [call('unsqueeze', [x0], { axis: 1 }), call('unsqueeze', [x1], { axis: 0 })])])], { axis: -1 }) },
  { name: 'log of cumsum of exp(x)·y', op: 'cumsum', inputs: [input([2, 4], 428), input([2, 4], 429, { min: 0.5, max: 2 })], expr: call('log', [call('cumsum', [call('mul', [call('exp', [x0]), x1])], { axis: -1 })]) },
  { name: 'minimum(x², y) summed over axis 0', op: 'minimum', inputs: xy([3, 2], [2], 430), expr: call('sum', [call('minimum', [call('square', [x0]), x1])], { axis: 0 }) },
  { name: 'cos(x)·sin(y) through flip', op: 'flip', inputs: xy([3, 2], [3, 2], 432), expr: call('mul', [call('flip', [call('cos', [x0])], { axes: -1 }), call('sin', [x1])]) },
];

export const CASES: OpCase[] = [...ELEMENTWISE, ...REDUCTIONS, ...MOVEMENT, ...COMPOSITES.map((c) => ({ ...c, composite: true }))];

/** Every op an expression applies. */
export function opsIn(expr: Expr): string[] {
  const e = expr as { op?: string; of?: Expr[] };
  return e.op === undefined ? [] : [e.op, ...(e.of ?? []).flatMap(opsIn)];
}

/** The new ops; every one must appear in CASES, alone and inside a composite. */
export const NEW_OPS = [
  'sin', 'cos', 'tan', 'erf', 'log1p', 'expm1', 'sign', 'clamp', 'minimum', 'maximum', 'where',
  'min', 'logsumexp', 'cumsum', 'cumprod',
  'narrow', 'concat', 'stack', 'split', 'pad', 'flip', 'squeeze', 'unsqueeze', 'sort', 'topk',
];
