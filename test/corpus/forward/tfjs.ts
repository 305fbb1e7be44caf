// TensorFlow.js ops with forward-mode rules of our own: each op's evaluate runs the tfjs function,
// its vjp is tfjs's own gradient (tf.grads, as gradcheck/tfjs does), and its jvp is written here by
// hand with tfjs ops, in float32 like the rest (precision 'float32'). Inputs are drawn by ops.ts's
// generator. `plant` scales the first differentiable input's vjp gradient, or the jvp's response
// to that input's tangent (that tangent is scaled before the linear jvp), by (1 + delta).
//
// tfjs is passed in (tfjsCorpus(tf, ...)): this module imports only its types, so a caller without
// tfjs can still load it and skip.
import type * as TFNS from '@tensorflow/tfjs';
import { defineOp } from '../../../src/index.ts';
import type { Op } from '../../../src/index.ts';
import { apart, away, distinct, drawInputs, inputSpecs, int, isConstant, n, opName, pos, small, u } from './ops.ts';
import type { CorpusOptions, Entry, InputDef } from './ops.ts';

type TF = typeof TFNS;
type T = TFNS.Tensor;
type Ts = Record<string, T>;

export interface TfEntry {
  name: string;
  inputs: Record<string, InputDef>;
  adjust?: Entry['adjust'];
  f: (tf: TF, x: Ts) => T;
  /** J·t: the output's tangent for the inputs' tangents t (zeros for all but one, as gradcheck asks). */
  jvp: (tf: TF, x: Ts, t: Ts) => T;
}

const ints = (tf: TF, x: T) => tf.cast(x, 'int32');
/** Layer norm from moments over the last axis, and its tangent. */
const EPS = 1e-5;
function layerNorm(tf: TF, x: T): T {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, EPS)));
}
function layerNormJvp(tf: TF, x: T, t: T): T {
  const { mean, variance } = tf.moments(x, -1, true);
  const c = tf.sub(x, mean);
  const dc = tf.sub(t, tf.mean(t, -1, true));
  const dv = tf.mul(2, tf.mean(tf.mul(c, dc), -1, true));
  const s = tf.sqrt(tf.add(variance, EPS));
  return tf.sub(tf.div(dc, s), tf.div(tf.mul(c, dv), tf.mul(2, tf.pow(s, 3))));
}
const softmaxJvp = (tf: TF, y: T, ds: T) => tf.mul(y, tf.sub(ds, tf.sum(tf.mul(y, ds), -1, true)));

export const TFJS_ENTRIES: TfEntry[] = [
  // element-wise
  { name: 'tanh', inputs: { x: n(3, 4) }, f: (tf, { x }) => tf.tanh(x), jvp: (tf, { x }, { x: t }) => tf.mul(t, tf.sub(1, tf.square(tf.tanh(x)))) },
  { name: 'sigmoid', inputs: { x: n(3, 4) }, f: (tf, { x }) => tf.sigmoid(x), jvp: (tf, { x }, { x: t }) => { const y = tf.sigmoid(x); return tf.mul(t, tf.mul(y, tf.sub(1, y))); } },
  { name: 'exp', inputs: { x: n(3, 4) }, f: (tf, { x }) => tf.exp(x), jvp: (tf, { x }, { x: t }) => tf.mul(t, tf.exp(x)) },
  { name: 'log (domain)', inputs: { x: pos(3, 4) }, f: (tf, { x }) => tf.log(x), jvp: (tf, { x }, { x: t }) => tf.div(t, x) },
  { name: 'sqrt (domain)', inputs: { x: pos(3, 4) }, f: (tf, { x }) => tf.sqrt(x), jvp: (tf, { x }, { x: t }) => tf.div(t, tf.mul(2, tf.sqrt(x))) },
  { name: 'softplus', inputs: { x: n(3, 4) }, f: (tf, { x }) => tf.softplus(x), jvp: (tf, { x }, { x: t }) => tf.mul(t, tf.sigmoid(x)) },
  { name: 'sin', inputs: { x: n(3, 4) }, f: (tf, { x }) => tf.sin(x), jvp: (tf, { x }, { x: t }) => tf.mul(t, tf.cos(x)) },
  { name: 'cos', inputs: { x: n(3, 4) }, f: (tf, { x }) => tf.cos(x), jvp: (tf, { x }, { x: t }) => tf.neg(tf.mul(t, tf.sin(x))) },
  { name: 'square', inputs: { x: n(3, 4) }, f: (tf, { x }) => tf.square(x), jvp: (tf, { x }, { x: t }) => tf.mul(2, tf.mul(x, t)) },
  { name: 'reciprocal (domain)', inputs: { x: pos(3, 4) }, f: (tf, { x }) => tf.reciprocal(x), jvp: (tf, { x }, { x: t }) => tf.neg(tf.div(t, tf.square(x))) },
  { name: 'erf', inputs: { x: n(8) }, f: (tf, { x }) => tf.erf(x), jvp: (tf, { x }, { x: t }) => tf.mul(t, tf.mul(2 / Math.sqrt(Math.PI), tf.exp(tf.neg(tf.square(x))))) },
  { name: 'elu away from 0', inputs: { x: away(3, 4) }, f: (tf, { x }) => tf.elu(x), jvp: (tf, { x }, { x: t }) => tf.where(tf.greater(x, 0), t, tf.mul(t, tf.exp(x))) },
  { name: 'atan', inputs: { x: n(3, 4) }, f: (tf, { x }) => tf.atan(x), jvp: (tf, { x }, { x: t }) => tf.div(t, tf.add(1, tf.square(x))) },
  { name: 'asinh', inputs: { x: n(3, 4) }, f: (tf, { x }) => tf.asinh(x), jvp: (tf, { x }, { x: t }) => tf.div(t, tf.sqrt(tf.add(1, tf.square(x)))) },
  { name: 'logSigmoid', inputs: { x: n(3, 4) }, f: (tf, { x }) => tf.logSigmoid(x), jvp: (tf, { x }, { x: t }) => tf.mul(t, tf.sigmoid(tf.neg(x))) },
  { name: 'pow x^2.5 (domain)', inputs: { x: pos(6) }, f: (tf, { x }) => tf.pow(x, 2.5), jvp: (tf, { x }, { x: t }) => tf.mul(t, tf.mul(2.5, tf.pow(x, 1.5))) },
  // broadcasting binary
  { name: 'add [3,4] + [4]', inputs: { a: n(3, 4), b: n(4) }, f: (tf, { a, b }) => tf.add(a, b), jvp: (tf, _x, { a, b }) => tf.add(a, b) },
  { name: 'sub [3,4] − [3,1]', inputs: { a: n(3, 4), b: n(3, 1) }, f: (tf, { a, b }) => tf.sub(a, b), jvp: (tf, _x, { a, b }) => tf.sub(a, b) },
  { name: 'mul [3,1] · [1,4]', inputs: { a: n(3, 1), b: n(1, 4) }, f: (tf, { a, b }) => tf.mul(a, b), jvp: (tf, x, t) => tf.add(tf.mul(t.a, x.b), tf.mul(x.a, t.b)) },
  { name: 'div [3,4] / [4] (positive)', inputs: { a: n(3, 4), b: pos(4) }, f: (tf, { a, b }) => tf.div(a, b), jvp: (tf, x, t) => tf.div(tf.sub(t.a, tf.mul(tf.div(x.a, x.b), t.b)), x.b) },
  {
    name: 'pow a^b',
    inputs: { a: pos(3, 4), b: n(3, 4) },
    f: (tf, { a, b }) => tf.pow(a, b),
    jvp: (tf, x, t) => tf.add(tf.mul(t.a, tf.mul(x.b, tf.pow(x.a, tf.sub(x.b, 1)))), tf.mul(t.b, tf.mul(tf.pow(x.a, x.b), tf.log(x.a)))),
  },
  { name: 'maximum, apart', inputs: { a: n(3, 4), b: n(3, 4) }, adjust: apart('a', 'b', [3, 4], [3, 4]), f: (tf, { a, b }) => tf.maximum(a, b), jvp: (tf, x, t) => tf.where(tf.greater(x.a, x.b), t.a, t.b) },
  { name: 'squaredDifference', inputs: { a: n(3, 4), b: n(3, 4) }, f: (tf, { a, b }) => tf.squaredDifference(a, b), jvp: (tf, x, t) => tf.mul(2, tf.mul(tf.sub(x.a, x.b), tf.sub(t.a, t.b))) },
  // reductions
  { name: 'sum of tanh, axis 0', inputs: { x: n(3, 4) }, f: (tf, { x }) => tf.sum(tf.tanh(x), 0), jvp: (tf, { x }, { x: t }) => tf.sum(tf.mul(t, tf.sub(1, tf.square(tf.tanh(x)))), 0) },
  { name: 'mean of sin, axis 1', inputs: { x: n(3, 4) }, f: (tf, { x }) => tf.mean(tf.sin(x), 1), jvp: (tf, { x }, { x: t }) => tf.mean(tf.mul(t, tf.cos(x)), 1) },
  { name: 'logSumExp, axis 1', inputs: { x: n(4, 5) }, f: (tf, { x }) => tf.logSumExp(x, 1), jvp: (tf, { x }, { x: t }) => tf.sum(tf.mul(tf.softmax(x), t), 1) },
  {
    name: 'max, axis 1 (no ties)',
    inputs: { x: distinct(3, 5) },
    f: (tf, { x }) => tf.max(x, 1),
    jvp: (tf, { x }, { x: t }) => tf.sum(tf.mul(t, tf.cast(tf.oneHot(tf.argMax(x, 1), 5), 'float32')), 1),
  },
  { name: 'prod, axis 1', inputs: { x: u([3, 4], 0.5, 1.5) }, f: (tf, { x }) => tf.prod(x, 1), jvp: (tf, { x }, { x: t }) => tf.mul(tf.prod(x, 1), tf.sum(tf.div(t, x), 1)) },
  { name: 'norm, axis 1', inputs: { x: n(3, 4) }, f: (tf, { x }) => tf.norm(x, 'euclidean', 1), jvp: (tf, { x }, { x: t }) => tf.div(tf.sum(tf.mul(x, t), 1), tf.norm(x, 'euclidean', 1)) },
  {
    name: 'moments: variance, axis 1',
    inputs: { x: n(3, 5) },
    f: (tf, { x }) => tf.moments(x, 1).variance,
    jvp: (tf, { x }, { x: t }) => tf.mul(2, tf.mean(tf.mul(tf.sub(x, tf.mean(x, 1, true)), tf.sub(t, tf.mean(t, 1, true))), 1)),
  },
  // matMul
  { name: 'matMul', inputs: { a: n(3, 4), b: n(4, 2) }, f: (tf, { a, b }) => tf.matMul(a, b), jvp: (tf, x, t) => tf.add(tf.matMul(t.a, x.b), tf.matMul(x.a, t.b)) },
  { name: 'matMul, b transposed', inputs: { a: n(3, 4), b: n(2, 4) }, f: (tf, { a, b }) => tf.matMul(a, b, false, true), jvp: (tf, x, t) => tf.add(tf.matMul(t.a, x.b, false, true), tf.matMul(x.a, t.b, false, true)) },
  { name: 'matMul, batched', inputs: { a: n(2, 3, 4), b: n(2, 4, 2) }, f: (tf, { a, b }) => tf.matMul(a, b), jvp: (tf, x, t) => tf.add(tf.matMul(t.a, x.b), tf.matMul(x.a, t.b)) },
  // convolution
  {
    name: 'conv1d, same',
    inputs: { x: n(1, 8, 2), w: n(3, 2, 2) },
    f: (tf, { x, w }) => tf.conv1d(x as TFNS.Tensor3D, w as TFNS.Tensor3D, 1, 'same'),
    jvp: (tf, x, t) => tf.add(tf.conv1d(t.x as TFNS.Tensor3D, x.w as TFNS.Tensor3D, 1, 'same'), tf.conv1d(x.x as TFNS.Tensor3D, t.w as TFNS.Tensor3D, 1, 'same')),
  },
  {
    name: 'conv2d, valid',
    inputs: { x: n(1, 5, 5, 2), w: n(3, 3, 2, 2) },
    f: (tf, { x, w }) => tf.conv2d(x as TFNS.Tensor4D, w as TFNS.Tensor4D, 1, 'valid'),
    jvp: (tf, x, t) => tf.add(tf.conv2d(t.x as TFNS.Tensor4D, x.w as TFNS.Tensor4D, 1, 'valid'), tf.conv2d(x.x as TFNS.Tensor4D, t.w as TFNS.Tensor4D, 1, 'valid')),
  },
  // softmax, losses, normalization, attention
  { name: 'softmax', inputs: { x: n(3, 5) }, f: (tf, { x }) => tf.softmax(x), jvp: (tf, { x }, { x: t }) => softmaxJvp(tf, tf.softmax(x), t) },
  { name: 'logSoftmax', inputs: { x: n(3, 5) }, f: (tf, { x }) => tf.logSoftmax(x), jvp: (tf, { x }, { x: t }) => tf.sub(t, tf.sum(tf.mul(tf.softmax(x), t), -1, true)) },
  {
    name: 'softmaxCrossEntropy (integer targets)',
    inputs: { logits: n(4, 5), t: int([4], 5) },
    f: (tf, { logits, t }) => tf.losses.softmaxCrossEntropy(tf.oneHot(ints(tf, t), 5), logits),
    jvp: (tf, { logits, t }, { logits: dl }) => tf.mean(tf.sum(tf.mul(tf.sub(tf.softmax(logits), tf.cast(tf.oneHot(ints(tf, t), 5), 'float32')), dl), 1)),
  },
  { name: 'layer norm from moments', inputs: { x: n(4, 6) }, f: (tf, { x }) => layerNorm(tf, x), jvp: (tf, { x }, { x: t }) => layerNormJvp(tf, x, t) },
  {
    name: 'attention (q, k, v)',
    inputs: { q: n(4, 3), k: n(4, 3), v: n(4, 3) },
    f: (tf, { q, k, v }) => tf.matMul(tf.softmax(tf.div(tf.matMul(q, k, false, true), Math.sqrt(3))), v),
    jvp: (tf, x, t) => {
      const p = tf.softmax(tf.div(tf.matMul(x.q, x.k, false, true), Math.sqrt(3)));
      const ds = tf.div(tf.add(tf.matMul(t.q, x.k, false, true), tf.matMul(x.q, t.k, false, true)), Math.sqrt(3));
      return tf.add(tf.matMul(softmaxJvp(tf, p, ds), x.v), tf.matMul(p, t.v));
    },
  },
  // indexing and movement
  { name: 'gather rows', inputs: { x: n(5, 3), idx: int([4], 5) }, f: (tf, { x, idx }) => tf.gather(x, ints(tf, idx)), jvp: (tf, { idx }, { x: t }) => tf.gather(t, ints(tf, idx)) },
  { name: 'slice', inputs: { x: n(4, 5) }, f: (tf, { x }) => tf.slice(tf.sin(x), [1, 1], [2, 3]), jvp: (tf, { x }, { x: t }) => tf.slice(tf.mul(t, tf.cos(x)), [1, 1], [2, 3]) },
  { name: 'concat, axis 1', inputs: { a: n(2, 3), b: n(2, 2) }, f: (tf, { a, b }) => tf.concat([tf.square(a), b], 1), jvp: (tf, x, t) => tf.concat([tf.mul(2, tf.mul(x.a, t.a)), t.b], 1) },
  { name: 'pad with 0.5', inputs: { x: n(2, 3) }, f: (tf, { x }) => tf.pad(tf.tanh(x), [[1, 2], [0, 1]], 0.5), jvp: (tf, { x }, { x: t }) => tf.pad(tf.mul(t, tf.sub(1, tf.square(tf.tanh(x)))), [[1, 2], [0, 1]], 0) },
  { name: 'transpose', inputs: { x: n(2, 3, 4) }, f: (tf, { x }) => tf.transpose(tf.exp(x), [2, 0, 1]), jvp: (tf, { x }, { x: t }) => tf.transpose(tf.mul(t, tf.exp(x)), [2, 0, 1]) },
  { name: 'tile', inputs: { x: n(2, 3) }, f: (tf, { x }) => tf.tile(tf.sigmoid(x), [2, 2]), jvp: (tf, { x }, { x: t }) => { const y = tf.sigmoid(x); return tf.tile(tf.mul(t, tf.mul(y, tf.sub(1, y))), [2, 2]); } },
  { name: 'reverse', inputs: { x: n(3, 4) }, f: (tf, { x }) => tf.mul(tf.reverse(x, 1), x), jvp: (tf, { x }, { x: t }) => tf.add(tf.mul(tf.reverse(t, 1), x), tf.mul(tf.reverse(x, 1), t)) },
  { name: 'cumsum, axis 1', inputs: { x: n(3, 5) }, f: (tf, { x }) => tf.cumsum(tf.exp(x), 1), jvp: (tf, { x }, { x: t }) => tf.cumsum(tf.mul(t, tf.exp(x)), 1) },
  // compositions
  {
    name: 'MLP 4×5×6×3',
    inputs: { x: n(4, 5), w1: small(0.5, 5, 6), b1: n(6), w2: small(0.5, 6, 3) },
    f: (tf, { x, w1, b1, w2 }) => tf.matMul(tf.tanh(tf.add(tf.matMul(x, w1), b1)), w2),
    jvp: (tf, x, t) => {
      const h = tf.tanh(tf.add(tf.matMul(x.x, x.w1), x.b1));
      const dh = tf.mul(tf.sub(1, tf.square(h)), tf.add(tf.add(tf.matMul(t.x, x.w1), tf.matMul(x.x, t.w1)), t.b1));
      return tf.add(tf.matMul(dh, x.w2), tf.matMul(h, t.w2));
    },
  },
];

/** The gradcheck op for one tfjs entry, with the inputs ops.ts's generator draws at `seed`. */
export function makeTfjsOp(tf: TF, entry: TfEntry, { plant, seed = 0 }: CorpusOptions = {}): Op {
  const values = drawInputs(`tfjs ${entry.name}`, entry.inputs, seed, entry.adjust);
  const names = Object.keys(entry.inputs);
  const diff = names.filter((name) => !isConstant(entry.inputs[name]));
  const first = diff[0];
  const k = 1 + (plant?.delta ?? 0);
  const tensors = (record: Record<string, ArrayLike<number>>, which: string[]): Ts =>
    Object.fromEntries(which.map((name) => [name, tf.tensor(Float32Array.from(record[name]), entry.inputs[name].shape, 'float32')]));
  const read = (y: T): Float64Array | number => {
    try {
      return y.shape.length === 0 ? y.dataSync()[0] : Float64Array.from(y.dataSync());
    } finally {
      y.dispose();
    }
  };
  const outputShape = (() => {
    const y = tf.tidy(() => entry.f(tf, tensors(values, names)));
    const shape = [...y.shape];
    y.dispose();
    return shape;
  })();
  return defineOp<string>({
    name: opName('tfjs', entry.name, plant),
    inputs: inputSpecs(entry.inputs, values),
    precision: 'float32',
    evaluate: (x) => read(tf.tidy(() => entry.f(tf, tensors(x, names)))),
    vjp: (x, cotangent) => {
      const grads = tf.tidy(() => {
        const xs = tensors(x, names);
        const f = (...args: T[]): T => {
          const byName = { ...xs };
          diff.forEach((name, i) => (byName[name] = args[i]));
          return entry.f(tf, byName);
        };
        const dy = tf.tensor(Float32Array.from(cotangent), outputShape, 'float32');
        return tf.grads(f)(diff.map((name) => xs[name]), dy);
      });
      const result: Record<string, Float64Array> = {};
      diff.forEach((name, i) => {
        const g = Float64Array.from(grads[i].dataSync());
        grads[i].dispose();
        result[name] = plant?.which === 'vjp' && name === first ? g.map((v) => Math.fround(v * k)) : g;
      });
      return result;
    },
    jvp: (x, tangents) =>
      read(
        tf.tidy(() => {
          const ts = tensors(tangents, diff);
          if (plant?.which === 'jvp') ts[first] = tf.mul(ts[first], k);
          return entry.jvp(tf, tensors(x, names), ts);
        }),
      ),
  });
}

/** Every tfjs op of the corpus. */
export function tfjsCorpus(tf: TF, options: CorpusOptions = {}): Op[] {
  const only = options.only && new Set(options.only);
  return TFJS_ENTRIES.filter((e) => !only || only.has(e.name)).map((entry) => makeTfjsOp(tf, entry, options));
}

/** Thirty tfjs entries, some of every kind: the quick subset of run.ts --quick and the vitest test. */
export const TFJS_QUICK: readonly string[] = [
  'tanh', 'sigmoid', 'log (domain)', 'sqrt (domain)', 'softplus', 'reciprocal (domain)', 'erf', 'elu away from 0', 'pow x^2.5 (domain)',
  'add [3,4] + [4]', 'mul [3,1] · [1,4]', 'div [3,4] / [4] (positive)', 'pow a^b', 'maximum, apart',
  'sum of tanh, axis 0', 'logSumExp, axis 1', 'max, axis 1 (no ties)', 'prod, axis 1', 'moments: variance, axis 1',
  'matMul', 'matMul, batched', 'conv1d, same', 'conv2d, valid',
  'softmax', 'softmaxCrossEntropy (integer targets)', 'layer norm from moments', 'attention (q, k, v)',
  'gather rows', 'pad with 0.5', 'MLP 4×5×6×3',
];
