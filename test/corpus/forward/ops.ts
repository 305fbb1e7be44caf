// The forward-mode corpus: well over a hundred ops of the engine in engine.ts, each with its
// evaluate, vjp and jvp, available on every backend (float32, float64, noisy64). Each op's inputs are
// drawn by this file's own seeded generator (`values` in the spec), so the corpus does not depend on
// gradcheck's draw and verify-torch.ts can run the very same point in torch.
//
//   forwardCorpus(backend, { seed, plant: { which: 'jvp' | 'vjp', delta } })
//
// `plant` makes every op wrong by (1 + delta) on its FIRST differentiable input: the vjp's gradient
// of that input is scaled, or the jvp's response to that input's tangent (the jvp is linear in the
// tangents, so scaling that tangent scales exactly its contribution and leaves the others').
import { defineOp } from '../../../src/index.ts';
import type { InputSpec, Op } from '../../../src/index.ts';
import { concatenate, conv1d, conv2d, einsum, makeEngine, maximum, minimum, sizeOf, stack, trace } from './engine.ts';
import type { Backend, Engine, Graph, Sym } from './engine.ts';

export interface InputDef {
  shape: number[];
  /** normal (× scale), uniform in [low, high), distinct (well-spaced values, no ties), away (normal, |x| ≥ 0.3), integer in [0, high). */
  kind: 'normal' | 'uniform' | 'distinct' | 'away' | 'integer';
  low?: number;
  high?: number;
  scale?: number;
  domain?: [number, number];
  /** false: a constant (target, mask), never differentiated. Integers are constants. */
  grad?: false;
}

export interface Entry {
  name: string;
  group: 'unary' | 'binary' | 'reduction' | 'matmul' | 'conv' | 'nn' | 'movement' | 'composition';
  inputs: Record<string, InputDef>;
  fn: (x: Record<string, Sym>) => Sym;
  /** Moves drawn values where the op needs them (maximum's arguments apart, say). */
  adjust?: (v: Record<string, Float64Array>) => void;
}

// ---------------------------------------------------------------------------------------------
// Seeded draws

function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}
/** mulberry32: a small seeded generator of uniforms in [0, 1). */
export function rng(seed: number | string): () => number {
  let a = typeof seed === 'number' ? seed >>> 0 : hashString(seed);
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
export function normals(random: () => number, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = 1 - random();
    const v = random();
    out[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  return out;
}

function draw(def: InputDef, random: () => number): Float64Array {
  const n = sizeOf(def.shape);
  switch (def.kind) {
    case 'normal':
      return normals(random, n).map((v) => v * (def.scale ?? 1));
    case 'uniform':
      return Float64Array.from({ length: n }, () => (def.low ?? 0) + ((def.high ?? 1) - (def.low ?? 0)) * random());
    case 'integer':
      return Float64Array.from({ length: n }, () => Math.floor(random() * (def.high ?? 2)));
    case 'away':
      return Float64Array.from({ length: n }, () => {
        for (;;) {
          const v = normals(random, 1)[0];
          if (Math.abs(v) >= 0.3) return v;
        }
      });
    case 'distinct': {
      const order = Array.from({ length: n }, (_, i) => i);
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      const step = Math.min(0.35, 4 / n);
      return Float64Array.from(order, (k) => (k - (n - 1) / 2) * step + (random() - 0.5) * 0.1 * step);
    }
  }
}

/** Inputs drawn by this file's own generator at a seed, for the op called `name`. */
export function drawInputs(name: string, inputs: Record<string, InputDef>, seed: number, adjust?: Entry['adjust']): Record<string, Float64Array> {
  const values: Record<string, Float64Array> = {};
  for (const [input, def] of Object.entries(inputs)) values[input] = draw(def, rng(`${seed}/${name}/${input}`));
  adjust?.(values);
  return values;
}

/** The values of an entry's inputs at a seed: this file's own draw, the same for every backend. */
export function materialize(entry: Entry, seed: number): Record<string, Float64Array> {
  return drawInputs(entry.name, entry.inputs, seed, entry.adjust);
}

/** gradcheck input specs for drawn values: fixed `values`, with the domain and constness of each input. */
export function inputSpecs(inputs: Record<string, InputDef>, values: Record<string, Float64Array>): Record<string, InputSpec> {
  const specs: Record<string, InputSpec> = {};
  for (const [name, def] of Object.entries(inputs)) {
    specs[name] = {
      shape: def.shape,
      values: values[name],
      ...(def.domain ? { domain: def.domain } : {}),
      ...(def.kind === 'integer' ? { integer: true } : def.grad === false ? { grad: false } : {}),
    };
  }
  return specs;
}

export const isConstant = (def: InputDef): boolean => def.kind === 'integer' || def.grad === false;

const graphs = new Map<Entry, Graph>();
/** The entry's function traced into the engine's graph (once). */
export function graphOf(entry: Entry): Graph {
  let g = graphs.get(entry);
  if (!g) {
    const shapes = Object.fromEntries(Object.entries(entry.inputs).map(([name, d]) => [name, { shape: d.shape, grad: !isConstant(d) }]));
    graphs.set(entry, (g = trace(shapes, entry.fn)));
  }
  return g;
}

// ---------------------------------------------------------------------------------------------
// Input helpers

export const n = (...shape: number[]): InputDef => ({ shape, kind: 'normal' });
export const small = (scale: number, ...shape: number[]): InputDef => ({ shape, kind: 'normal', scale });
export const u = (shape: number[], low: number, high: number): InputDef => ({ shape, kind: 'uniform', low, high });
/** Positive, for log, sqrt, reciprocal, pow: the domain keeps every step inside. */
export const pos = (...shape: number[]): InputDef => ({ shape, kind: 'uniform', low: 0.5, high: 2, domain: [0, Infinity] });
export const distinct = (...shape: number[]): InputDef => ({ shape, kind: 'distinct' });
export const away = (...shape: number[]): InputDef => ({ shape, kind: 'away' });
export const int = (shape: number[], high: number): InputDef => ({ shape, kind: 'integer', high });
export const konst = (def: InputDef): InputDef => ({ ...def, grad: false });

/** Keeps b's elements at least `gap` from the a elements they meet under broadcasting (for maximum/minimum). */
export function apart(aName: string, bName: string, aShape: number[], bShape: number[], gap = 0.25) {
  return (v: Record<string, Float64Array>) => {
    const out = aShape.length >= bShape.length ? aShape : bShape;
    const idx = (shape: number[], flat: number) => {
      // flat index in `out` → flat index in `shape` (right-aligned broadcasting)
      let k = 0;
      let stride = 1;
      let rest = flat;
      const coords: number[] = [];
      for (let d = out.length - 1; d >= 0; d--) {
        coords[d] = rest % out[d];
        rest = Math.floor(rest / out[d]);
      }
      for (let d = shape.length - 1; d >= 0; d--) {
        const c = shape[d] === 1 ? 0 : coords[d + out.length - shape.length];
        k += c * stride;
        stride *= shape[d];
      }
      return k;
    };
    for (let j = 0; j < sizeOf(out); j++) {
      const ia = idx(aShape, j);
      const ib = idx(bShape, j);
      const d = v[aName][ia] - v[bName][ib];
      if (Math.abs(d) < gap) v[aName][ia] += d >= 0 ? gap : -gap;
    }
  };
}

// ---------------------------------------------------------------------------------------------
// Building blocks

const SQRT1_2 = Math.SQRT1_2;
const gelu = (x: Sym) => x.mul(0.5).mul(x.mul(SQRT1_2).erf().add(1));
const geluTanh = (x: Sym) => x.mul(0.5).mul(x.add(x.powc(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI)).tanh().add(1));
const silu = (x: Sym) => x.mul(x.sigmoid());
const layerNorm = (x: Sym, g?: Sym, b?: Sym) => {
  const y = x.sub(x.mean(-1, true)).div(x.variance(-1, true).add(1e-5).sqrt());
  return g && b ? y.mul(g).add(b) : y;
};
const attention = (q: Sym, k: Sym, v: Sym) => q.matmul(k.T).div(Math.sqrt(q.shape[q.rank - 1])).softmax(-1).matmul(v);
const crossEntropyRows = (logits: Sym, targets: Sym) => logits.logSoftmax(-1).takeAlong(targets.reshape([targets.shape[0], 1]), 1).reshape([targets.shape[0]]).neg();

// ---------------------------------------------------------------------------------------------
// The corpus

export const ENTRIES: Entry[] = [
  // element-wise unary
  { name: 'tanh', group: 'unary', inputs: { x: n(3, 4) }, fn: ({ x }) => x.tanh() },
  { name: 'sigmoid', group: 'unary', inputs: { x: n(3, 4) }, fn: ({ x }) => x.sigmoid() },
  { name: 'exp', group: 'unary', inputs: { x: n(3, 4) }, fn: ({ x }) => x.exp() },
  { name: 'log (domain)', group: 'unary', inputs: { x: pos(3, 4) }, fn: ({ x }) => x.log() },
  { name: 'sqrt (domain)', group: 'unary', inputs: { x: pos(3, 4) }, fn: ({ x }) => x.sqrt() },
  { name: 'softplus', group: 'unary', inputs: { x: n(3, 4) }, fn: ({ x }) => x.softplus() },
  { name: 'gelu (erf)', group: 'unary', inputs: { x: n(3, 4) }, fn: ({ x }) => gelu(x) },
  { name: 'gelu (tanh approximation)', group: 'unary', inputs: { x: n(8) }, fn: ({ x }) => geluTanh(x) },
  { name: 'sin', group: 'unary', inputs: { x: n(3, 4) }, fn: ({ x }) => x.sin() },
  { name: 'cos', group: 'unary', inputs: { x: n(3, 4) }, fn: ({ x }) => x.cos() },
  { name: 'square', group: 'unary', inputs: { x: n(3, 4) }, fn: ({ x }) => x.square() },
  { name: 'reciprocal (domain)', group: 'unary', inputs: { x: pos(3, 4) }, fn: ({ x }) => x.reciprocal() },
  { name: 'erf', group: 'unary', inputs: { x: n(8) }, fn: ({ x }) => x.erf() },
  { name: 'neg', group: 'unary', inputs: { x: n(5) }, fn: ({ x }) => x.neg() },
  { name: 'abs away from 0', group: 'unary', inputs: { x: away(3, 4) }, fn: ({ x }) => x.abs() },
  { name: 'relu away from 0', group: 'unary', inputs: { x: away(3, 4) }, fn: ({ x }) => maximum(x, 0) },
  { name: 'leaky relu away from 0', group: 'unary', inputs: { x: away(3, 4) }, fn: ({ x }) => maximum(x, x.mul(0.1)) },
  { name: 'silu', group: 'unary', inputs: { x: n(3, 4) }, fn: ({ x }) => silu(x) },
  { name: 'cube x^3', group: 'unary', inputs: { x: n(6) }, fn: ({ x }) => x.powc(3) },
  { name: 'x^2.5 (domain)', group: 'unary', inputs: { x: pos(6) }, fn: ({ x }) => x.powc(2.5) },
  { name: 'rsqrt (domain)', group: 'unary', inputs: { x: pos(6) }, fn: ({ x }) => x.powc(-0.5) },
  { name: 'log(1 + x²)', group: 'unary', inputs: { x: n(3, 4) }, fn: ({ x }) => x.square().add(1).log() },
  { name: 'exp(sin x)', group: 'unary', inputs: { x: n(4) }, fn: ({ x }) => x.sin().exp() },
  { name: 'log-sigmoid', group: 'unary', inputs: { x: n(3, 4) }, fn: ({ x }) => x.neg().softplus().neg() },
  { name: 'sin · cos', group: 'unary', inputs: { x: n(3, 4) }, fn: ({ x }) => x.sin().mul(x.cos()) },
  { name: 'tanh(3x) steep-ish', group: 'unary', inputs: { x: n(6) }, fn: ({ x }) => x.mul(3).tanh() },
  { name: 'elu-free smooth: x·tanh(softplus x) (mish)', group: 'unary', inputs: { x: n(3, 4) }, fn: ({ x }) => x.mul(x.softplus().tanh()) },
  { name: 'pseudo-huber sqrt(1+x²)−1', group: 'unary', inputs: { x: n(3, 4) }, fn: ({ x }) => x.square().add(1).sqrt().sub(1) },

  // broadcasting binary
  { name: 'add [3,4] + [4]', group: 'binary', inputs: { a: n(3, 4), b: n(4) }, fn: ({ a, b }) => a.add(b) },
  { name: 'add [3,4] + scalar input', group: 'binary', inputs: { a: n(3, 4), s: n() }, fn: ({ a, s }) => a.add(s) },
  { name: 'sub [3,4] − [3,1]', group: 'binary', inputs: { a: n(3, 4), b: n(3, 1) }, fn: ({ a, b }) => a.sub(b) },
  { name: 'mul [3,1] · [1,4] (outer)', group: 'binary', inputs: { a: n(3, 1), b: n(1, 4) }, fn: ({ a, b }) => a.mul(b) },
  { name: 'mul [2,3,4] · [3,1]', group: 'binary', inputs: { a: n(2, 3, 4), b: n(3, 1) }, fn: ({ a, b }) => a.mul(b) },
  { name: 'mul by a constant, plus one', group: 'binary', inputs: { a: n(3, 4) }, fn: ({ a }) => a.mul(2.5).add(1) },
  { name: 'div [3,4] / [4] (positive)', group: 'binary', inputs: { a: n(3, 4), b: pos(4) }, fn: ({ a, b }) => a.div(b) },
  { name: 'div by 1 + b² (safe)', group: 'binary', inputs: { a: n(3, 4), b: n(3, 4) }, fn: ({ a, b }) => a.div(b.square().add(1)) },
  { name: 'div by a scalar input (positive)', group: 'binary', inputs: { a: n(3, 4), s: pos() }, fn: ({ a, s }) => a.div(s) },
  { name: 'pow a^b', group: 'binary', inputs: { a: pos(3, 4), b: n(3, 4) }, fn: ({ a, b }) => a.pow(b) },
  { name: 'pow a^b, b [4] broadcast', group: 'binary', inputs: { a: pos(3, 4), b: n(4) }, fn: ({ a, b }) => a.pow(b) },
  { name: 'maximum, apart', group: 'binary', inputs: { a: n(3, 4), b: n(3, 4) }, fn: ({ a, b }) => maximum(a, b), adjust: apart('a', 'b', [3, 4], [3, 4]) },
  { name: 'minimum [3,4] and [4], apart', group: 'binary', inputs: { a: n(3, 4), b: n(4) }, fn: ({ a, b }) => minimum(a, b), adjust: apart('a', 'b', [3, 4], [4]) },
  { name: 'maximum [3,1] and [1,4], apart', group: 'binary', inputs: { a: n(3, 1), b: n(1, 4) }, fn: ({ a, b }) => maximum(a, b), adjust: apart('a', 'b', [3, 1], [1, 4]) },
  { name: 'squared difference [3,4], [4]', group: 'binary', inputs: { a: n(3, 4), b: n(4) }, fn: ({ a, b }) => a.sub(b).square() },
  { name: 'hypot sqrt(a² + b²)', group: 'binary', inputs: { a: n(3, 4), b: n(3, 4) }, fn: ({ a, b }) => a.square().add(b.square()).add(1e-3).sqrt() },
  { name: 'a · sigmoid(b) gate', group: 'binary', inputs: { a: n(3, 4), b: n(3, 4) }, fn: ({ a, b }) => a.mul(b.sigmoid()) },
  { name: 'a·b + a/(1+b²) (multi-use)', group: 'binary', inputs: { a: n(2, 3), b: n(2, 3) }, fn: ({ a, b }) => a.mul(b).add(a.div(b.square().add(1))) },

  // reductions
  { name: 'sum axis 0', group: 'reduction', inputs: { x: n(3, 4) }, fn: ({ x }) => x.tanh().sum(0) },
  { name: 'sum axis 1', group: 'reduction', inputs: { x: n(3, 4) }, fn: ({ x }) => x.sin().sum(1) },
  { name: 'sum all', group: 'reduction', inputs: { x: n(3, 4) }, fn: ({ x }) => x.tanh().sum() },
  { name: 'sum axis 2 keepdims [2,3,4]', group: 'reduction', inputs: { x: n(2, 3, 4) }, fn: ({ x }) => x.sigmoid().sum(2, true) },
  { name: 'sum axes [0,2] [2,3,4]', group: 'reduction', inputs: { x: n(2, 3, 4) }, fn: ({ x }) => x.square().sum([0, 2]) },
  { name: 'mean axis 0', group: 'reduction', inputs: { x: n(4, 3) }, fn: ({ x }) => x.exp().mean(0) },
  { name: 'mean axis 1', group: 'reduction', inputs: { x: n(3, 4) }, fn: ({ x }) => x.tanh().mean(1) },
  { name: 'mean all', group: 'reduction', inputs: { x: n(3, 4) }, fn: ({ x }) => x.square().mean() },
  { name: 'logsumexp axis 0', group: 'reduction', inputs: { x: n(4, 5) }, fn: ({ x }) => x.logsumexp(0) },
  { name: 'logsumexp axis 1', group: 'reduction', inputs: { x: n(4, 5) }, fn: ({ x }) => x.logsumexp(1) },
  { name: 'logsumexp all', group: 'reduction', inputs: { x: n(3, 4) }, fn: ({ x }) => x.logsumexp() },
  { name: 'max axis 0 (no ties)', group: 'reduction', inputs: { x: distinct(3, 5) }, fn: ({ x }) => x.max(0) },
  { name: 'max axis 1 (no ties)', group: 'reduction', inputs: { x: distinct(3, 5) }, fn: ({ x }) => x.max(1) },
  { name: 'max all (no ties)', group: 'reduction', inputs: { x: distinct(3, 4) }, fn: ({ x }) => x.max() },
  { name: 'min axis 1 (no ties)', group: 'reduction', inputs: { x: distinct(4, 3) }, fn: ({ x }) => x.min(1) },
  { name: 'max axis 1 keepdims, then x − max', group: 'reduction', inputs: { x: distinct(3, 4) }, fn: ({ x }) => x.sub(x.max(1, true)) },
  { name: 'prod axis 1', group: 'reduction', inputs: { x: u([3, 4], 0.5, 1.5) }, fn: ({ x }) => x.prod(1) },
  { name: 'prod axis 0', group: 'reduction', inputs: { x: u([3, 4], -1.5, -0.5) }, fn: ({ x }) => x.prod(0) },
  { name: 'prod all', group: 'reduction', inputs: { x: u([2, 3], 0.6, 1.4) }, fn: ({ x }) => x.prod() },
  { name: 'variance axis 1', group: 'reduction', inputs: { x: n(3, 5) }, fn: ({ x }) => x.variance(1) },
  { name: 'variance axis 0', group: 'reduction', inputs: { x: n(5, 3) }, fn: ({ x }) => x.variance(0) },
  { name: 'variance all', group: 'reduction', inputs: { x: n(3, 4) }, fn: ({ x }) => x.variance() },
  { name: 'norm all', group: 'reduction', inputs: { x: n(3, 4) }, fn: ({ x }) => x.norm() },
  { name: 'norm axis 1', group: 'reduction', inputs: { x: n(3, 4) }, fn: ({ x }) => x.norm(1) },
  { name: 'norm axis 0', group: 'reduction', inputs: { x: n(3, 4) }, fn: ({ x }) => x.norm(0) },
  { name: 'std axis 1 (sqrt of variance)', group: 'reduction', inputs: { x: n(3, 6) }, fn: ({ x }) => x.variance(1).sqrt() },

  // matmul and contractions
  { name: 'matmul [3,4]@[4,2]', group: 'matmul', inputs: { a: n(3, 4), b: n(4, 2) }, fn: ({ a, b }) => a.matmul(b) },
  { name: 'matmul [2,5]@[5,3]', group: 'matmul', inputs: { a: n(2, 5), b: n(5, 3) }, fn: ({ a, b }) => a.matmul(b) },
  { name: 'matmul square [4,4]@[4,4]', group: 'matmul', inputs: { a: n(4, 4), b: n(4, 4) }, fn: ({ a, b }) => a.matmul(b) },
  { name: 'matmul matrix-vector [4,4]@[4,1]', group: 'matmul', inputs: { a: n(4, 4), b: n(4, 1) }, fn: ({ a, b }) => a.matmul(b) },
  { name: 'matmul batched [2,3,4]@[2,4,2]', group: 'matmul', inputs: { a: n(2, 3, 4), b: n(2, 4, 2) }, fn: ({ a, b }) => a.matmul(b) },
  { name: 'matmul batched by a matrix [2,3,4]@[4,3]', group: 'matmul', inputs: { a: n(2, 3, 4), b: n(4, 3) }, fn: ({ a, b }) => a.matmul(b) },
  { name: 'matmul then tanh', group: 'matmul', inputs: { a: n(3, 4), b: n(4, 3) }, fn: ({ a, b }) => a.matmul(b).tanh() },
  { name: 'gram x xᵀ', group: 'matmul', inputs: { x: n(3, 4) }, fn: ({ x }) => x.matmul(x.T) },
  { name: 'matmul chain a@b@c', group: 'matmul', inputs: { a: n(2, 3), b: n(3, 4), c: n(4, 2) }, fn: ({ a, b, c }) => a.matmul(b).matmul(c) },
  { name: 'bilinear form xᵀ A y (scalar)', group: 'matmul', inputs: { x: n(4, 1), A: n(4, 3), y: n(3, 1) }, fn: ({ x, A, y }) => x.T.matmul(A).matmul(y).reshape([]) },
  { name: "einsum 'ij,ij->i' row dots", group: 'matmul', inputs: { a: n(3, 4), b: n(3, 4) }, fn: ({ a, b }) => einsum('ij,ij->i', a, b) },
  { name: "einsum 'ij,kj->ik'", group: 'matmul', inputs: { a: n(3, 4), b: n(2, 4) }, fn: ({ a, b }) => einsum('ij,kj->ik', a, b) },
  { name: "einsum 'bij,bjk->bik'", group: 'matmul', inputs: { a: n(2, 2, 3), b: n(2, 3, 2) }, fn: ({ a, b }) => einsum('bij,bjk->bik', a, b) },
  { name: "einsum 'i,j->ij' outer", group: 'matmul', inputs: { a: n(3), b: n(4) }, fn: ({ a, b }) => einsum('i,j->ij', a, b) },
  { name: "einsum 'ijk,k->ij'", group: 'matmul', inputs: { a: n(2, 3, 4), b: n(4) }, fn: ({ a, b }) => einsum('ijk,k->ij', a, b) },
  { name: "einsum 'ij,ij->' (Frobenius, scalar)", group: 'matmul', inputs: { a: n(3, 4), b: n(3, 4) }, fn: ({ a, b }) => einsum('ij,ij->', a, b) },
  { name: "einsum 'bhqd,bhkd->bhqk'", group: 'matmul', inputs: { q: n(1, 2, 3, 2), k: n(1, 2, 3, 2) }, fn: ({ q, k }) => einsum('bhqd,bhkd->bhqk', q, k) },
  { name: "einsum 'ij,jk->ki' then exp", group: 'matmul', inputs: { a: small(0.5, 3, 4), b: small(0.5, 4, 2) }, fn: ({ a, b }) => einsum('ij,jk->ki', a, b).exp() },

  // convolution
  { name: 'conv1d [1,2,8]*[3,2,3] valid', group: 'conv', inputs: { x: n(1, 2, 8), w: n(3, 2, 3) }, fn: ({ x, w }) => conv1d(x, w) },
  { name: 'conv1d stride 2, pad 1', group: 'conv', inputs: { x: n(2, 1, 7), w: n(2, 1, 3) }, fn: ({ x, w }) => conv1d(x, w, { stride: 2, pad: 1 }) },
  { name: 'conv1d + bias, tanh', group: 'conv', inputs: { x: n(1, 2, 6), w: n(3, 2, 2), b: n(3) }, fn: ({ x, w, b }) => conv1d(x, w).add(b.reshape([1, 3, 1])).tanh() },
  { name: 'conv2d [1,2,5,5]*[2,2,3,3] valid', group: 'conv', inputs: { x: n(1, 2, 5, 5), w: n(2, 2, 3, 3) }, fn: ({ x, w }) => conv2d(x, w) },
  { name: 'conv2d stride 2, pad 1', group: 'conv', inputs: { x: n(1, 1, 6, 6), w: n(2, 1, 3, 3) }, fn: ({ x, w }) => conv2d(x, w, { stride: 2, pad: 1 }) },
  { name: 'conv2d then sigmoid, mean (scalar)', group: 'conv', inputs: { x: n(1, 1, 4, 4), w: n(1, 1, 2, 2) }, fn: ({ x, w }) => conv2d(x, w).sigmoid().mean() },
  { name: 'conv2d, batch of 2, pad 1', group: 'conv', inputs: { x: n(2, 1, 3, 3), w: n(2, 1, 2, 2) }, fn: ({ x, w }) => conv2d(x, w, { pad: 1 }) },

  // softmax, losses, normalization, attention
  { name: 'softmax axis −1', group: 'nn', inputs: { x: n(3, 5) }, fn: ({ x }) => x.softmax(-1) },
  { name: 'softmax axis 0', group: 'nn', inputs: { x: n(4, 3) }, fn: ({ x }) => x.softmax(0) },
  { name: 'softmax [2,3,4] axis 1', group: 'nn', inputs: { x: n(2, 3, 4) }, fn: ({ x }) => x.softmax(1) },
  { name: 'log-softmax', group: 'nn', inputs: { x: n(3, 5) }, fn: ({ x }) => x.logSoftmax(-1) },
  { name: 'log-softmax axis 0', group: 'nn', inputs: { x: n(4, 3) }, fn: ({ x }) => x.logSoftmax(0) },
  { name: 'cross-entropy (integer targets, mean)', group: 'nn', inputs: { logits: n(4, 5), t: int([4], 5) }, fn: ({ logits, t }) => crossEntropyRows(logits, t).mean() },
  { name: 'cross-entropy per row (vector)', group: 'nn', inputs: { logits: n(4, 5), t: int([4], 5) }, fn: ({ logits, t }) => crossEntropyRows(logits, t) },
  { name: 'soft-target cross-entropy', group: 'nn', inputs: { logits: n(3, 4), p: konst(u([3, 4], 0, 1)) }, fn: ({ logits, p }) => logits.logSoftmax(-1).mul(p.div(p.sum(-1, true))).sum(-1).neg() },
  { name: 'mse loss (target constant)', group: 'nn', inputs: { y: n(4, 3), t: konst(n(4, 3)) }, fn: ({ y, t }) => y.sub(t).square().mean() },
  { name: 'logistic loss softplus(−y·xw)', group: 'nn', inputs: { w: n(3, 1), x: konst(n(5, 3)), y: konst(u([5, 1], -1, 1)) }, fn: ({ w, x, y }) => x.matmul(w).mul(y).neg().softplus().mean() },
  { name: 'layer norm', group: 'nn', inputs: { x: n(4, 6) }, fn: ({ x }) => layerNorm(x) },
  { name: 'layer norm with gain and bias', group: 'nn', inputs: { x: n(3, 5), g: u([5], 0.5, 1.5), b: n(5) }, fn: ({ x, g, b }) => layerNorm(x, g, b) },
  { name: 'batch norm over axis 0', group: 'nn', inputs: { x: n(5, 3), g: u([3], 0.5, 1.5), b: n(3) }, fn: ({ x, g, b }) => x.sub(x.mean(0, true)).div(x.variance(0, true).add(1e-5).sqrt()).mul(g).add(b) },
  { name: 'rms norm', group: 'nn', inputs: { x: n(3, 6), g: u([6], 0.5, 1.5) }, fn: ({ x, g }) => x.div(x.square().mean(-1, true).add(1e-6).sqrt()).mul(g) },
  { name: 'attention (q, k, v)', group: 'nn', inputs: { q: n(4, 3), k: n(4, 3), v: n(4, 3) }, fn: ({ q, k, v }) => attention(q, k, v) },
  { name: 'attention, batched heads [2,3,4]', group: 'nn', inputs: { q: n(2, 3, 4), k: n(2, 3, 4), v: n(2, 3, 4) }, fn: ({ q, k, v }) => attention(q, k, v) },
  { name: 'attention weights only (softmax(qkᵀ))', group: 'nn', inputs: { q: n(3, 2), k: n(4, 2) }, fn: ({ q, k }) => q.matmul(k.T).softmax(-1) },
  { name: 'cosine similarity of rows', group: 'nn', inputs: { a: n(3, 4), b: n(3, 4) }, fn: ({ a, b }) => a.mul(b).sum(-1).div(a.norm(-1).mul(b.norm(-1))) },
  { name: 'l2-normalize rows', group: 'nn', inputs: { x: n(3, 4) }, fn: ({ x }) => x.div(x.norm(-1, true)) },
  { name: 'softmax-weighted pooling', group: 'nn', inputs: { x: n(5, 3), s: n(5, 1) }, fn: ({ x, s }) => x.mul(s.softmax(0)).sum(0) },

  // indexing and movement
  { name: 'gather rows (embedding)', group: 'movement', inputs: { x: n(5, 3), idx: int([4], 5) }, fn: ({ x, idx }) => x.gather(idx, 0) },
  { name: 'gather columns, then tanh', group: 'movement', inputs: { x: n(3, 5), idx: int([4], 5) }, fn: ({ x, idx }) => x.gather(idx, 1).tanh() },
  { name: 'take along axis 1', group: 'movement', inputs: { x: n(4, 5), idx: int([4, 2], 5) }, fn: ({ x, idx }) => x.exp().takeAlong(idx, 1) },
  { name: 'slice [4,5] → [2,3]', group: 'movement', inputs: { x: n(4, 5) }, fn: ({ x }) => x.slice([1, 1], [2, 3]) },
  { name: 'slice with step 2, then sin', group: 'movement', inputs: { x: n(5, 6) }, fn: ({ x }) => x.slice([0, 1], [3, 3], [2, 2]).sin() },
  { name: 'concat axis 0', group: 'movement', inputs: { a: n(2, 3), b: n(3, 3) }, fn: ({ a, b }) => concatenate([a, b.tanh()], 0) },
  { name: 'concat axis 1', group: 'movement', inputs: { a: n(2, 3), b: n(2, 2) }, fn: ({ a, b }) => concatenate([a.square(), b], 1) },
  { name: 'stack', group: 'movement', inputs: { a: n(3), b: n(3) }, fn: ({ a, b }) => stack([a, b.mul(a)]) },
  { name: 'pad with 0.5', group: 'movement', inputs: { x: n(2, 3) }, fn: ({ x }) => x.pad([[1, 2], [0, 1]], 0.5).tanh() },
  { name: 'transpose 2-D', group: 'movement', inputs: { x: n(3, 4) }, fn: ({ x }) => x.T },
  { name: 'transpose 3-D [2,0,1] of tanh', group: 'movement', inputs: { x: n(2, 3, 4) }, fn: ({ x }) => x.tanh().transpose([2, 0, 1]) },
  { name: 'reshape [3,4]→[2,6], softmax', group: 'movement', inputs: { x: n(3, 4) }, fn: ({ x }) => x.reshape([2, 6]).softmax(-1) },
  { name: 'tile [2,3] × [2,2]', group: 'movement', inputs: { x: n(2, 3) }, fn: ({ x }) => x.tile([2, 2]).mul(x.tile([2, 2]).sin()) },
  { name: 'flip axis 1', group: 'movement', inputs: { x: n(3, 4) }, fn: ({ x }) => x.flip([1]).mul(x) },
  { name: 'flip both axes', group: 'movement', inputs: { x: n(3, 4) }, fn: ({ x }) => x.flip([0, 1]).exp() },
  { name: 'cumsum axis 1', group: 'movement', inputs: { x: n(3, 5) }, fn: ({ x }) => x.cumsum(1) },
  { name: 'cumsum axis 0 of exp', group: 'movement', inputs: { x: n(4, 3) }, fn: ({ x }) => x.exp().cumsum(0) },
  { name: 'reverse cumsum, then log', group: 'movement', inputs: { x: pos(6) }, fn: ({ x }) => x.cumsum(0, true).log() },
  { name: 'broadcastTo [1,3]→[4,3] times a ramp', group: 'movement', inputs: { x: n(1, 3) }, fn: ({ x }) => x.broadcastTo([4, 3]).mul(x.tracer.constant(Array.from({ length: 12 }, (_, i) => i / 4), [4, 3])).sin() },
  { name: 'embedding then linear', group: 'movement', inputs: { table: n(6, 3), w: n(3, 2), ids: int([5], 6) }, fn: ({ table, w, ids }) => table.gather(ids, 0).matmul(w) },

  // compositions
  { name: 'mlp 2 layers tanh', group: 'composition', inputs: { x: n(4, 5), w1: small(0.5, 5, 6), b1: n(6), w2: small(0.5, 6, 3), b2: n(3) }, fn: ({ x, w1, b1, w2, b2 }) => x.matmul(w1).add(b1).tanh().matmul(w2).add(b2) },
  { name: 'mlp 3 layers gelu, loss (scalar)', group: 'composition', inputs: { x: n(3, 4), w1: small(0.5, 4, 5), w2: small(0.5, 5, 5), w3: small(0.5, 5, 2) }, fn: ({ x, w1, w2, w3 }) => gelu(gelu(x.matmul(w1)).matmul(w2)).matmul(w3).square().mean() },
  { name: 'residual block x + W2 tanh(W1 x)', group: 'composition', inputs: { x: n(3, 4), w1: small(0.5, 4, 4), w2: small(0.5, 4, 4) }, fn: ({ x, w1, w2 }) => x.add(x.matmul(w1).tanh().matmul(w2)) },
  { name: 'pre-norm residual block', group: 'composition', inputs: { x: n(3, 4), w: small(0.5, 4, 4), g: u([4], 0.5, 1.5), b: n(4) }, fn: ({ x, w, g, b }) => x.add(silu(layerNorm(x, g, b).matmul(w))) },
  { name: 'transformer block (attention + norm)', group: 'composition', inputs: { x: n(4, 4), wq: small(0.5, 4, 4), wk: small(0.5, 4, 4), wv: small(0.5, 4, 4) }, fn: ({ x, wq, wk, wv }) => layerNorm(x.add(attention(x.matmul(wq), x.matmul(wk), x.matmul(wv)))) },
  { name: 'GLU sigmoid(xW) · tanh(xU)', group: 'composition', inputs: { x: n(3, 4), w: small(0.5, 4, 3), v: small(0.5, 4, 3) }, fn: ({ x, w, v }) => x.matmul(w).sigmoid().mul(x.matmul(v).tanh()) },
  {
    name: 'rnn, 3 steps',
    group: 'composition',
    inputs: { x: n(3, 4), h0: n(1, 3), w: small(0.5, 4, 3), uu: small(0.5, 3, 3), b: n(3) },
    fn: ({ x, h0, w, uu, b }) => [0, 1, 2].reduce((h, t) => x.slice([t, 0], [1, 4]).matmul(w).add(h.matmul(uu)).add(b).tanh(), h0),
  },
  { name: 'pairwise distances', group: 'composition', inputs: { a: n(3, 2), b: n(4, 2) }, fn: ({ a, b }) => a.reshape([3, 1, 2]).sub(b.reshape([1, 4, 2])).square().sum(-1).add(1e-3).sqrt() },
  { name: 'polynomial a·x³ + b·x² + x', group: 'composition', inputs: { x: n(6), a: n(1), b: n(1) }, fn: ({ x, a, b }) => x.powc(3).mul(a).add(x.square().mul(b)).add(x) },
  { name: 'gaussian log-likelihood', group: 'composition', inputs: { x: n(5), mu: n(5), s: pos(5) }, fn: ({ x, mu, s }) => x.sub(mu).div(s).square().mul(-0.5).sub(s.log()) },
  { name: 'tiny CNN: conv1d, gelu, mean over length, linear', group: 'composition', inputs: { x: n(2, 1, 6), w: n(3, 1, 3), v: n(3, 2) }, fn: ({ x, w, v }) => gelu(conv1d(x, w)).mean(2).matmul(v) },
  { name: 'classifier loss: mlp + cross-entropy', group: 'composition', inputs: { x: n(4, 3), w: small(0.5, 3, 5), t: int([4], 5) }, fn: ({ x, w, t }) => crossEntropyRows(x.matmul(w).tanh().mul(2), t).mean() },
  { name: 'softmax of a bilinear score, weighted sum', group: 'composition', inputs: { x: n(4, 3), w: small(0.5, 3, 3) }, fn: ({ x, w }) => x.matmul(w).matmul(x.T).softmax(-1).matmul(x) },
  { name: 'logsumexp over rows of exp-normalized', group: 'composition', inputs: { x: n(3, 4), y: n(3, 4) }, fn: ({ x, y }) => x.mul(y.sigmoid()).logsumexp(1).sub(x.mean(1)) },
  { name: 'outer then softplus then max (no ties)', group: 'composition', inputs: { a: distinct(4), b: u([3], 0.5, 1.5) }, fn: ({ a, b }) => a.reshape([4, 1]).mul(b.reshape([1, 3])).max(0).softplus() },
  { name: 'variance-normalized cumsum', group: 'composition', inputs: { x: n(6) }, fn: ({ x }) => x.cumsum(0).div(x.variance().add(0.5).sqrt()) },
  { name: 'highway: t·h + (1−t)·x', group: 'composition', inputs: { x: n(3, 4), wh: small(0.5, 4, 4), wt: small(0.5, 4, 4) }, fn: ({ x, wh, wt }) => { const t = x.matmul(wt).sigmoid(); return t.mul(x.matmul(wh).tanh()).add(t.rsub(1).mul(x)); } },
  { name: 'sum of tanh (scalar)', group: 'composition', inputs: { x: n(3, 4), w: n(4) }, fn: ({ x, w }) => x.mul(w).tanh().sum() },
];

// ---------------------------------------------------------------------------------------------
// Ops

export interface Plant {
  which: 'jvp' | 'vjp';
  delta: number;
}

export interface CorpusOptions {
  plant?: Plant;
  /** Seeds this file's own draw of the inputs (default 0). */
  seed?: number;
  /** Only the entries with these names (e.g. a quick subset). */
  only?: readonly string[];
}

const engines = new Map<Backend, Engine>();
export function engineFor(backend: Backend): Engine {
  let e = engines.get(backend);
  if (!e) engines.set(backend, (e = makeEngine(backend)));
  return e;
}

/** The op's name on a backend, plant included: 'tanh' → 'float32 tanh [jvp × (1 + 1e-3)]'. */
export function opName(backend: string, name: string, plant?: Plant): string {
  return `${backend} ${name}${plant ? ` [${plant.which} × (1 + ${plant.delta})]` : ''}`;
}

/** The gradcheck op for one entry on one backend, with the inputs this file draws at `seed`. */
export function makeOp(backend: Backend, entry: Entry, { plant, seed = 0 }: CorpusOptions = {}): Op {
  const engine = engineFor(backend);
  const graph = graphOf(entry);
  const values = materialize(entry, seed);
  const inputs = inputSpecs(entry.inputs, values);
  const first = graph.inputs.find((i) => i.grad)!.name;
  const k = 1 + (plant?.delta ?? 0);
  const r = engine.kernels.A.r;
  const output = (a: { data: Float64Array; shape: number[] }) => (a.shape.length === 0 ? a.data[0] : a.data);
  return defineOp<string>({
    name: opName(backend, entry.name, plant),
    inputs,
    ...(backend === 'float32' ? { precision: 'float32' as const } : {}),
    evaluate: (x) => output(engine.evaluate(graph, x)),
    vjp: (x, cotangent) => {
      const grads = engine.vjp(graph, x, cotangent);
      if (plant?.which === 'vjp') grads[first] = grads[first].map((v) => r(v * k));
      return grads;
    },
    jvp: (x, tangents) => {
      const t = plant?.which === 'jvp' ? { ...tangents, [first]: tangents[first].map((v) => v * k) } : tangents;
      return output(engine.jvp(graph, x, t));
    },
  });
}

/** Every op of the corpus on one backend. */
export function forwardCorpus(backend: Backend, options: CorpusOptions = {}): Op[] {
  const only = options.only && new Set(options.only);
  return ENTRIES.filter((e) => !only || only.has(e.name)).map((entry) => makeOp(backend, entry, options));
}

/** About thirty entries, one or more of every group: the quick subset of run.ts --quick and the vitest test. */
export const QUICK: readonly string[] = [
  'tanh', 'log (domain)', 'gelu (erf)', 'reciprocal (domain)', 'silu', 'x^2.5 (domain)',
  'add [3,4] + [4]', 'mul [3,1] · [1,4] (outer)', 'div [3,4] / [4] (positive)', 'pow a^b, b [4] broadcast', 'minimum [3,4] and [4], apart',
  'sum axis 0', 'logsumexp axis 1', 'max axis 1 (no ties)', 'prod axis 1', 'variance axis 0', 'norm axis 1',
  'matmul [3,4]@[4,2]', 'matmul batched [2,3,4]@[2,4,2]', "einsum 'ij,kj->ik'",
  'conv1d stride 2, pad 1', 'conv2d [1,2,5,5]*[2,2,3,3] valid',
  'softmax axis −1', 'cross-entropy (integer targets, mean)', 'layer norm with gain and bias', 'attention (q, k, v)',
  'gather columns, then tanh', 'concat axis 1', 'pad with 0.5', 'cumsum axis 1',
  'mlp 2 layers tanh', 'transformer block (attention + norm)',
];
