// A small JAX-like engine, independent of gradcheck: a function written with the builder below is
// traced once into a graph of primitives (a "jaxpr"), and three interpreters run that graph in a
// backend's arithmetic: evaluate, vjp (reverse mode, the tape replayed backwards) and jvp (forward
// mode, primal and tangent carried together). Every primitive has its own forward kernel, jvp rule
// and vjp rule, written with the kernels below, so tangents and cotangents are computed in the same
// arithmetic as the values:
//   float32  every stored value, intermediate and output rounded to float32 (Math.fround), inputs,
//            tangents and cotangents read through Math.fround: a float32 engine;
//   float64  plain float64;
//   noisy64  float64, but exp, log, tanh, sigmoid, sin, cos, erf, softplus and pow are only accurate
//            to ~1e-7 relative: the true result times (1 + 1e-7·h(x)), h a hash of x's bits in
//            [-1, 1], repeatable but not smooth (a backend with cheap approximate math).
// The graph is plain JSON, so verify_torch.py can run the same function in torch float64.

export type Backend = 'float32' | 'float64' | 'noisy64';
export const BACKENDS: readonly Backend[] = ['float32', 'float64', 'noisy64'];

/** A concrete array: flat row-major values and a shape. */
export interface Arr {
  data: Float64Array;
  shape: number[];
}

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const arr = (data: Float64Array, shape: number[]): Arr => ({ data, shape });

// ---------------------------------------------------------------------------------------------
// Arithmetic

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
function mix(a: number): number {
  a = Math.imul(a ^ (a >>> 16), 0x85ebca6b);
  a = Math.imul(a ^ (a >>> 13), 0xc2b2ae35);
  return (a ^ (a >>> 16)) >>> 0;
}
/** A deterministic pseudo-random number in [-1, 1] from the bits of x (and a salt per function). */
export function hashUnit(x: number, salt = 0): number {
  bits[0] = x;
  const lo = words[0];
  const hi = words[1];
  return mix(lo ^ mix(hi ^ Math.imul(salt + 1, 0x9e3779b1))) / 2147483647.5 - 1;
}

/** Relative accuracy of noisy64's transcendental functions. */
export const NOISE = 1e-7;

function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}
function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}
/** erf to ~1e-15 relative: (2/√π) e^(−x²) Σ 2ⁿ x^(2n+1) / (2n+1)!!, a series of positive terms. */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax > 6) return Math.sign(x);
  let term = ax;
  let sum = ax;
  const x2 = 2 * ax * ax;
  for (let n = 1; n < 400; n++) {
    term *= x2 / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * Math.exp(-ax * ax) * sum;
}

export interface Arith {
  readonly backend: Backend;
  /** How a value is stored: rounded to float32 by the float32 backend. */
  r(x: number): number;
  exp(x: number): number;
  log(x: number): number;
  tanh(x: number): number;
  sigmoid(x: number): number;
  sin(x: number): number;
  cos(x: number): number;
  erf(x: number): number;
  softplus(x: number): number;
  pow(a: number, b: number): number;
  sqrt(x: number): number;
}

export function makeArith(backend: Backend): Arith {
  const r = backend === 'float32' ? Math.fround : (x: number) => x;
  const fn = (f: (x: number) => number, salt: number): ((x: number) => number) =>
    backend === 'noisy64' ? (x) => f(x) * (1 + NOISE * hashUnit(x, salt)) : backend === 'float32' ? (x) => Math.fround(f(x)) : f;
  return {
    backend,
    r,
    exp: fn(Math.exp, 1),
    log: fn(Math.log, 2),
    tanh: fn(Math.tanh, 3),
    sigmoid: fn(sigmoid, 4),
    sin: fn(Math.sin, 5),
    cos: fn(Math.cos, 6),
    erf: fn(erf, 7),
    softplus: fn(softplus, 8),
    pow:
      backend === 'noisy64'
        ? (a, b) => Math.pow(a, b) * (1 + NOISE * hashUnit(a, 9 + (mix(Math.floor(b * 1e6) >>> 0) & 0xffff)))
        : (a, b) => r(Math.pow(a, b)),
    sqrt: (x) => r(Math.sqrt(x)),
  };
}

// ---------------------------------------------------------------------------------------------
// Shapes and index maps (pure functions of shapes, cached)

export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`shapes [${a}] and [${b}] do not broadcast`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

const stridesOf = (shape: readonly number[]): number[] => {
  const s = new Array<number>(shape.length);
  let k = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = k;
    k *= shape[i];
  }
  return s;
};

/** Calls f(multi-index, flat index) for every element of shape, in row-major order. */
function forEachIndex(shape: readonly number[], f: (idx: number[], flat: number) => void): void {
  const n = sizeOf(shape);
  const idx = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < n; flat++) {
    f(idx, flat);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

const cache = new Map<string, Int32Array>();
function cached(key: string, make: () => Int32Array): Int32Array {
  let m = cache.get(key);
  if (!m) cache.set(key, (m = make()));
  return m;
}

/** For each element of dst, the flat index of the src element broadcast to it. */
function broadcastMap(src: readonly number[], dst: readonly number[]): Int32Array {
  return cached(`b${src}|${dst}`, () => {
    const off = dst.length - src.length;
    if (off < 0) throw new Error(`cannot broadcast [${src}] to [${dst}]`);
    const ss = stridesOf(src);
    const m = new Int32Array(sizeOf(dst));
    forEachIndex(dst, (idx, flat) => {
      let k = 0;
      for (let d = 0; d < src.length; d++) {
        if (src[d] !== 1 && src[d] !== dst[d + off]) throw new Error(`cannot broadcast [${src}] to [${dst}]`);
        if (src[d] !== 1) k += idx[d + off] * ss[d];
      }
      m[flat] = k;
    });
    return m;
  });
}

function transposeShape(shape: readonly number[], perm: readonly number[]): number[] {
  return perm.map((p) => shape[p]);
}
function transposeMap(shape: readonly number[], perm: readonly number[]): Int32Array {
  return cached(`t${shape}|${perm}`, () => {
    const ss = stridesOf(shape);
    const m = new Int32Array(sizeOf(shape));
    forEachIndex(transposeShape(shape, perm), (idx, flat) => {
      let k = 0;
      for (let d = 0; d < perm.length; d++) k += idx[d] * ss[perm[d]];
      m[flat] = k;
    });
    return m;
  });
}
function sliceMap(shape: readonly number[], begin: readonly number[], size: readonly number[], step: readonly number[]): Int32Array {
  return cached(`s${shape}|${begin}|${size}|${step}`, () => {
    const ss = stridesOf(shape);
    const m = new Int32Array(sizeOf(size));
    forEachIndex(size, (idx, flat) => {
      let k = 0;
      for (let d = 0; d < shape.length; d++) {
        const i = begin[d] + idx[d] * step[d];
        if (i < 0 || i >= shape[d]) throw new Error(`slice out of range on axis ${d}`);
        k += i * ss[d];
      }
      m[flat] = k;
    });
    return m;
  });
}
const padShape = (shape: readonly number[], widths: readonly (readonly number[])[]) => shape.map((d, i) => d + widths[i][0] + widths[i][1]);
function padMap(shape: readonly number[], widths: readonly (readonly number[])[]): Int32Array {
  return cached(`p${shape}|${widths.map((w) => w.join(':'))}`, () => {
    const ss = stridesOf(shape);
    const out = padShape(shape, widths);
    const m = new Int32Array(sizeOf(out));
    forEachIndex(out, (idx, flat) => {
      let k = 0;
      for (let d = 0; d < shape.length; d++) {
        const i = idx[d] - widths[d][0];
        if (i < 0 || i >= shape[d]) {
          k = -1;
          break;
        }
        k += i * ss[d];
      }
      m[flat] = k;
    });
    return m;
  });
}
function flipMap(shape: readonly number[], axes: readonly number[]): Int32Array {
  return cached(`f${shape}|${axes}`, () => {
    const ss = stridesOf(shape);
    const m = new Int32Array(sizeOf(shape));
    forEachIndex(shape, (idx, flat) => {
      let k = 0;
      for (let d = 0; d < shape.length; d++) k += (axes.includes(d) ? shape[d] - 1 - idx[d] : idx[d]) * ss[d];
      m[flat] = k;
    });
    return m;
  });
}
/** index_select: out takes x's slices at the (1-D) indices along axis. */
function gatherMap(shape: readonly number[], axis: number, indices: Float64Array): { map: Int32Array; shape: number[] } {
  const out = [...shape];
  out[axis] = indices.length;
  const ss = stridesOf(shape);
  const m = new Int32Array(sizeOf(out));
  forEachIndex(out, (idx, flat) => {
    let k = 0;
    for (let d = 0; d < shape.length; d++) {
      const i = d === axis ? indices[idx[d]] : idx[d];
      if (!Number.isInteger(i) || i < 0 || i >= shape[d]) throw new Error(`gather index ${i} out of range`);
      k += i * ss[d];
    }
    m[flat] = k;
  });
  return { map: m, shape: out };
}
/** torch.gather / take_along_axis: out has the indices' shape, x's index along axis taken from them. */
function takeAlongMap(shape: readonly number[], axis: number, index: Arr): Int32Array {
  const ss = stridesOf(shape);
  const m = new Int32Array(index.data.length);
  forEachIndex(index.shape, (idx, flat) => {
    let k = 0;
    for (let d = 0; d < shape.length; d++) {
      const i = d === axis ? index.data[flat] : idx[d];
      if (!Number.isInteger(i) || i < 0 || i >= shape[d]) throw new Error(`takeAlong index ${i} out of range`);
      k += i * ss[d];
    }
    m[flat] = k;
  });
  return m;
}
/** For each element of shape, the flat index of its reduction group (the output with keepdims). */
function reduceMap(shape: readonly number[], axes: readonly number[]): { map: Int32Array; keep: number[]; groups: number } {
  const keep = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const map = cached(`r${shape}|${axes}`, () => {
    const ks = stridesOf(keep);
    const m = new Int32Array(sizeOf(shape));
    forEachIndex(shape, (idx, flat) => {
      let k = 0;
      for (let d = 0; d < shape.length; d++) if (!axes.includes(d)) k += idx[d] * ks[d];
      m[flat] = k;
    });
    return m;
  });
  return { map, keep, groups: sizeOf(keep) };
}
const reducedShape = (shape: readonly number[], axes: readonly number[], keep: boolean) =>
  keep ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));

// ---------------------------------------------------------------------------------------------
// Kernels: array operations in a backend's arithmetic

export class Kernels {
  constructor(readonly A: Arith) {}
  zeros(shape: number[]): Arr {
    return arr(new Float64Array(sizeOf(shape)), [...shape]);
  }
  map(x: Arr, f: (v: number, i: number) => number): Arr {
    const out = new Float64Array(x.data.length);
    for (let i = 0; i < out.length; i++) out[i] = f(x.data[i], i);
    return arr(out, [...x.shape]);
  }
  zip(a: Arr, b: Arr, f: (x: number, y: number) => number): Arr {
    const shape = broadcastShapes(a.shape, b.shape);
    const ia = broadcastMap(a.shape, shape);
    const ib = broadcastMap(b.shape, shape);
    const out = new Float64Array(sizeOf(shape));
    for (let j = 0; j < out.length; j++) out[j] = f(a.data[ia[j]], b.data[ib[j]]);
    return arr(out, shape);
  }
  add(a: Arr, b: Arr): Arr {
    const r = this.A.r;
    return this.zip(a, b, (x, y) => r(x + y));
  }
  sub(a: Arr, b: Arr): Arr {
    const r = this.A.r;
    return this.zip(a, b, (x, y) => r(x - y));
  }
  mul(a: Arr, b: Arr): Arr {
    const r = this.A.r;
    return this.zip(a, b, (x, y) => r(x * y));
  }
  div(a: Arr, b: Arr): Arr {
    const r = this.A.r;
    return this.zip(a, b, (x, y) => r(x / y));
  }
  neg(a: Arr): Arr {
    return this.map(a, (v) => -v);
  }
  scale(a: Arr, c: number): Arr {
    const r = this.A.r;
    return this.map(a, (v) => r(v * c));
  }
  /** a + b where either may be absent (a zero tangent or cotangent). */
  plus(a: Arr | null, b: Arr | null): Arr | null {
    return a ? (b ? this.add(a, b) : a) : b;
  }
  broadcastTo(x: Arr, shape: number[]): Arr {
    if (x.shape.length === shape.length && x.shape.every((d, i) => d === shape[i])) return x;
    return this.take(x, broadcastMap(x.shape, shape), shape);
  }
  /** The transpose of broadcasting: sums the broadcast dimensions away. */
  sumTo(x: Arr, shape: number[]): Arr {
    if (x.shape.length === shape.length && x.shape.every((d, i) => d === shape[i])) return x;
    return this.scatter(x, broadcastMap(shape, x.shape), shape);
  }
  /** out[j] = x[map[j]] (fill where map[j] < 0). */
  take(x: Arr, map: Int32Array, shape: number[], fill = 0): Arr {
    const out = new Float64Array(map.length);
    const f = this.A.r(fill);
    for (let j = 0; j < map.length; j++) out[j] = map[j] < 0 ? f : x.data[map[j]];
    return arr(out, [...shape]);
  }
  /** The transpose of take: g[map[j]] += ct[j]. */
  scatter(ct: Arr, map: Int32Array, shape: number[]): Arr {
    const r = this.A.r;
    const out = new Float64Array(sizeOf(shape));
    for (let j = 0; j < map.length; j++) if (map[j] >= 0) out[map[j]] = r(out[map[j]] + ct.data[j]);
    return arr(out, [...shape]);
  }
  reshape(x: Arr, shape: number[]): Arr {
    return arr(x.data, [...shape]);
  }
  sum(x: Arr, axes: number[], keep: boolean): Arr {
    const { map, keep: kept, groups } = reduceMap(x.shape, axes);
    const r = this.A.r;
    const out = new Float64Array(groups);
    for (let i = 0; i < map.length; i++) out[map[i]] = r(out[map[i]] + x.data[i]);
    return arr(out, keep ? kept : reducedShape(x.shape, axes, false));
  }
  /** For each reduction group, the flat index of its (first) largest element. */
  argmax(x: Arr, axes: number[]): Int32Array {
    const { map, groups } = reduceMap(x.shape, axes);
    const best = new Int32Array(groups).fill(-1);
    for (let i = 0; i < map.length; i++) if (best[map[i]] < 0 || x.data[i] > x.data[best[map[i]]]) best[map[i]] = i;
    return best;
  }
  /** Each group's product, and each element's product of the others in its group. */
  products(x: Arr, axes: number[]): { out: Float64Array; others: Float64Array } {
    const { map, groups } = reduceMap(x.shape, axes);
    const r = this.A.r;
    const members: number[][] = Array.from({ length: groups }, () => []);
    for (let i = 0; i < map.length; i++) members[map[i]].push(i);
    const out = new Float64Array(groups);
    const others = new Float64Array(x.data.length);
    members.forEach((m, g) => {
      const prefix = new Float64Array(m.length + 1);
      const suffix = new Float64Array(m.length + 1);
      prefix[0] = 1;
      suffix[m.length] = 1;
      for (let k = 0; k < m.length; k++) prefix[k + 1] = r(prefix[k] * x.data[m[k]]);
      for (let k = m.length - 1; k >= 0; k--) suffix[k] = r(suffix[k + 1] * x.data[m[k]]);
      out[g] = prefix[m.length];
      for (let k = 0; k < m.length; k++) others[m[k]] = r(prefix[k] * suffix[k + 1]);
    });
    return { out, others };
  }
  cumsum(x: Arr, axis: number, reverse: boolean): Arr {
    const r = this.A.r;
    const out = new Float64Array(x.data.length);
    const stride = stridesOf(x.shape)[axis];
    const n = x.shape[axis];
    for (let i = 0; i < x.data.length; i++) {
      const pos = Math.floor(i / stride) % n;
      if (pos !== (reverse ? n - 1 : 0)) continue;
      let acc = 0;
      for (let k = 0; k < n; k++) {
        const j = i + (reverse ? -k : k) * stride;
        acc = r(acc + x.data[j]);
        out[j] = acc;
      }
    }
    return arr(out, [...x.shape]);
  }
  /** Two-operand einsum: 'ij,jk->ik'; dims gives the size of every letter (also letters the output alone has). */
  einsum(spec: string, a: Arr, b: Arr, dims?: Record<string, number>): Arr {
    const [lhs, out] = spec.split('->');
    const [sa, sb] = lhs.split(',');
    const size: Record<string, number> = { ...dims };
    [...sa].forEach((c, i) => (size[c] = a.shape[i]));
    [...sb].forEach((c, i) => (size[c] = b.shape[i]));
    const letters = [...new Set([...sa, ...sb, ...out])];
    for (const c of letters) if (size[c] === undefined) throw new Error(`einsum '${spec}': no size for '${c}'`);
    const shape = [...out].map((c) => size[c]);
    const strideIn = (s: string, shp: readonly number[]) => {
      const st = stridesOf(shp);
      return letters.map((c) => (s.includes(c) ? st[s.indexOf(c)] : 0));
    };
    const stA = strideIn(sa, a.shape);
    const stB = strideIn(sb, b.shape);
    const stO = strideIn(out, shape);
    const r = this.A.r;
    const result = new Float64Array(sizeOf(shape));
    const dimsL = letters.map((c) => size[c]);
    forEachIndex(dimsL, (idx) => {
      let ia = 0;
      let ib = 0;
      let io = 0;
      for (let d = 0; d < idx.length; d++) {
        ia += idx[d] * stA[d];
        ib += idx[d] * stB[d];
        io += idx[d] * stO[d];
      }
      result[io] = r(result[io] + r(a.data[ia] * b.data[ib]));
    });
    return arr(result, shape);
  }
  /** Cross-correlation (torch's conv2d): x [N, C, H, W], w [O, C, KH, KW]. */
  conv(x: Arr, w: Arr, stride: number[], pad: number[]): Arr {
    const [N, C, H, W] = x.shape;
    const [O, , KH, KW] = w.shape;
    const Ho = Math.floor((H + 2 * pad[0] - KH) / stride[0]) + 1;
    const Wo = Math.floor((W + 2 * pad[1] - KW) / stride[1]) + 1;
    const r = this.A.r;
    const out = new Float64Array(N * O * Ho * Wo);
    this.convLoop(x.shape, w.shape, stride, pad, Ho, Wo, (io, ix, iw) => (out[io] = r(out[io] + r(x.data[ix] * w.data[iw]))));
    return arr(out, [N, O, Ho, Wo]);
  }
  convBackInput(ct: Arr, w: Arr, xShape: number[], stride: number[], pad: number[]): Arr {
    const r = this.A.r;
    const g = new Float64Array(sizeOf(xShape));
    this.convLoop(xShape, w.shape, stride, pad, ct.shape[2], ct.shape[3], (io, ix, iw) => (g[ix] = r(g[ix] + r(ct.data[io] * w.data[iw]))));
    return arr(g, [...xShape]);
  }
  convBackWeight(ct: Arr, x: Arr, wShape: number[], stride: number[], pad: number[]): Arr {
    const r = this.A.r;
    const g = new Float64Array(sizeOf(wShape));
    this.convLoop(x.shape, wShape, stride, pad, ct.shape[2], ct.shape[3], (io, ix, iw) => (g[iw] = r(g[iw] + r(ct.data[io] * x.data[ix]))));
    return arr(g, [...wShape]);
  }
  private convLoop(xs: number[], ws: number[], stride: number[], pad: number[], Ho: number, Wo: number, f: (io: number, ix: number, iw: number) => void) {
    const [N, C, H, W] = xs;
    const [O, , KH, KW] = ws;
    for (let n = 0; n < N; n++)
      for (let o = 0; o < O; o++)
        for (let oh = 0; oh < Ho; oh++)
          for (let ow = 0; ow < Wo; ow++) {
            const io = ((n * O + o) * Ho + oh) * Wo + ow;
            for (let c = 0; c < C; c++)
              for (let kh = 0; kh < KH; kh++) {
                const ih = oh * stride[0] + kh - pad[0];
                if (ih < 0 || ih >= H) continue;
                for (let kw = 0; kw < KW; kw++) {
                  const iw = ow * stride[1] + kw - pad[1];
                  if (iw < 0 || iw >= W) continue;
                  f(io, ((n * C + c) * H + ih) * W + iw, ((o * C + c) * KH + kh) * KW + kw);
                }
              }
          }
  }
}

// ---------------------------------------------------------------------------------------------
// Primitives: forward kernel, jvp rule, vjp rule

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Params = Record<string, any>;
type Tan = Arr | null;

interface Primitive {
  impl(K: Kernels, args: Arr[], p: Params): Arr;
  /** The output's tangent from the arguments' (null: zero). */
  jvp(K: Kernels, args: Arr[], out: Arr, t: Tan[], p: Params): Tan;
  /** Each argument's cotangent from the output's (null: none). */
  vjp(K: Kernels, args: Arr[], out: Arr, ct: Arr, p: Params): Tan[];
}

/** An element-wise function f (of the backend's arithmetic and the params) with derivative d(x, y), an array of x's shape. */
function unary(f: (A: Arith, p: Params) => (x: number) => number, d: (K: Kernels, x: Arr, y: Arr, p: Params) => Arr): Primitive {
  return {
    impl: (K, [x], p) => K.map(x, f(K.A, p)),
    jvp: (K, [x], y, [t], p) => (t ? K.mul(t, d(K, x, y, p)) : null),
    vjp: (K, [x], y, ct, p) => [K.mul(ct, d(K, x, y, p))],
  };
}
const linearMap = (build: (K: Kernels, x: Arr, p: Params, args: Arr[]) => { map: Int32Array; shape: number[]; fill?: number }): Primitive => ({
  impl: (K, args, p) => {
    const { map, shape, fill } = build(K, args[0], p, args);
    return K.take(args[0], map, shape, fill ?? 0);
  },
  jvp: (K, args, _out, [t], p) => {
    if (!t) return null;
    const { map, shape } = build(K, args[0], p, args);
    return K.take(t, map, shape, 0);
  },
  vjp: (K, args, _out, ct, p) => {
    const { map } = build(K, args[0], p, args);
    return [K.scatter(ct, map, [...args[0].shape]), ...args.slice(1).map(() => null)];
  },
});

/** matmul as an einsum spec, as torch.matmul treats these ranks. */
export function matmulSpec(ra: number, rb: number): string {
  const batch = 'abcd'.slice(0, Math.max(ra, rb) - 2);
  const A = batch.slice(batch.length - (ra - 2)) + 'ij';
  const B = batch.slice(batch.length - (rb - 2)) + 'jk';
  return `${A},${B}->${batch}ik`;
}
function einsumVjp(K: Kernels, spec: string, a: Arr, b: Arr, ct: Arr): Tan[] {
  const [lhs, out] = spec.split('->');
  const [sa, sb] = lhs.split(',');
  const dims: Record<string, number> = {};
  [...sa].forEach((c, i) => (dims[c] = a.shape[i]));
  [...sb].forEach((c, i) => (dims[c] = b.shape[i]));
  return [K.einsum(`${out},${sb}->${sa}`, ct, b, dims), K.einsum(`${sa},${out}->${sb}`, a, ct, dims)];
}
function bilinear(spec: (p: Params, a: Arr, b: Arr) => string): Primitive {
  return {
    impl: (K, [a, b], p) => K.einsum(spec(p, a, b), a, b),
    jvp: (K, [a, b], _o, [ta, tb], p) => K.plus(ta ? K.einsum(spec(p, a, b), ta, b) : null, tb ? K.einsum(spec(p, a, b), a, tb) : null),
    vjp: (K, [a, b], _o, ct, p) => einsumVjp(K, spec(p, a, b), a, b, ct),
  };
}
/** conv1d runs as conv2d with a height of 1. */
const as2d = (x: Arr, p: Params): Arr => (p.dims === 1 ? arr(x.data, [x.shape[0], x.shape[1], 1, x.shape[2]]) : x);
const from2d = (y: Arr, p: Params): Arr => (p.dims === 1 ? arr(y.data, [y.shape[0], y.shape[1], y.shape[3]]) : y);
const convParams = (p: Params): [number[], number[]] => (p.dims === 1 ? [[1, p.stride[0]], [0, p.pad[0]]] : [p.stride, p.pad]);

const binary = (
  f: (A: Arith) => (x: number, y: number) => number,
  da: (K: Kernels, a: Arr, b: Arr, y: Arr) => Arr,
  db: (K: Kernels, a: Arr, b: Arr, y: Arr) => Arr,
): Primitive => ({
  impl: (K, [a, b]) => K.zip(a, b, f(K.A)),
  jvp: (K, [a, b], y, [ta, tb]) => K.plus(ta ? K.mul(K.broadcastTo(ta, y.shape), da(K, a, b, y)) : null, tb ? K.mul(K.broadcastTo(tb, y.shape), db(K, a, b, y)) : null),
  vjp: (K, [a, b], y, ct) => [K.sumTo(K.mul(ct, da(K, a, b, y)), [...a.shape]), K.sumTo(K.mul(ct, db(K, a, b, y)), [...b.shape])],
});

export const PRIMITIVES: Record<string, Primitive> = {
  neg: { impl: (K, [x]) => K.neg(x), jvp: (K, _a, _y, [t]) => (t ? K.neg(t) : null), vjp: (K, _a, _y, ct) => [K.neg(ct)] },
  exp: unary((A) => A.exp, (_K, _x, y) => y),
  log: {
    impl: (K, [x]) => K.map(x, K.A.log),
    jvp: (K, [x], _y, [t]) => (t ? K.div(t, x) : null),
    vjp: (K, [x], _y, ct) => [K.div(ct, x)],
  },
  tanh: unary((A) => A.tanh, (K, _x, y) => K.map(y, (v) => K.A.r(1 - K.A.r(v * v)))),
  sigmoid: unary((A) => A.sigmoid, (K, _x, y) => K.map(y, (v) => K.A.r(v * K.A.r(1 - v)))),
  sin: unary((A) => A.sin, (K, x) => K.map(x, K.A.cos)),
  cos: unary((A) => A.cos, (K, x) => K.map(x, (v) => -K.A.sin(v))),
  sqrt: {
    impl: (K, [x]) => K.map(x, K.A.sqrt),
    jvp: (K, _x, y, [t]) => (t ? K.div(t, K.scale(y, 2)) : null),
    vjp: (K, _x, y, ct) => [K.div(ct, K.scale(y, 2))],
  },
  erf: unary((A) => A.erf, (K, x) => K.map(x, (v) => K.A.r((2 / Math.sqrt(Math.PI)) * K.A.exp(-K.A.r(v * v))))),
  softplus: unary((A) => A.softplus, (K, x) => K.map(x, K.A.sigmoid)),
  abs: unary(() => Math.abs, (K, x) => K.map(x, Math.sign)),
  // x^c for a constant c
  powc: unary(
    (A, p) => (v) => A.pow(v, p.c),
    (K, x, _y, p) => K.map(x, (v) => K.A.r(p.c * K.A.pow(v, p.c - 1))),
  ),
  add: {
    impl: (K, [a, b]) => K.add(a, b),
    jvp: (K, _a, y, [ta, tb]) => K.plus(ta && K.broadcastTo(ta, y.shape), tb && K.broadcastTo(tb, y.shape)),
    vjp: (K, [a, b], _y, ct) => [K.sumTo(ct, [...a.shape]), K.sumTo(ct, [...b.shape])],
  },
  sub: {
    impl: (K, [a, b]) => K.sub(a, b),
    jvp: (K, _a, y, [ta, tb]) => K.plus(ta && K.broadcastTo(ta, y.shape), tb && K.neg(K.broadcastTo(tb, y.shape))),
    vjp: (K, [a, b], _y, ct) => [K.sumTo(ct, [...a.shape]), K.neg(K.sumTo(ct, [...b.shape]))],
  },
  mul: {
    impl: (K, [a, b]) => K.mul(a, b),
    jvp: (K, [a, b], _y, [ta, tb]) => K.plus(ta && K.mul(ta, b), tb && K.mul(a, tb)),
    vjp: (K, [a, b], _y, ct) => [K.sumTo(K.mul(ct, b), [...a.shape]), K.sumTo(K.mul(ct, a), [...b.shape])],
  },
  div: {
    impl: (K, [a, b]) => K.div(a, b),
    jvp: (K, [_a, b], y, [ta, tb]) => K.plus(ta && K.div(K.broadcastTo(ta, y.shape), b), tb && K.neg(K.div(K.mul(y, tb), b))),
    vjp: (K, [a, b], y, ct) => [K.sumTo(K.div(ct, b), [...a.shape]), K.sumTo(K.neg(K.div(K.mul(ct, y), b)), [...b.shape])],
  },
  pow: binary(
    (A) => A.pow,
    (K, a, b) => K.zip(a, b, (x, e) => K.A.r(e * K.A.pow(x, e - 1))),
    (K, a, _b, y) => K.mul(y, K.map(a, K.A.log)),
  ),
  maximum: binary(
    () => Math.max,
    (K, a, b) => K.zip(a, b, (x, y) => (x > y ? 1 : 0)),
    (K, a, b) => K.zip(a, b, (x, y) => (x > y ? 0 : 1)),
  ),
  minimum: binary(
    () => Math.min,
    (K, a, b) => K.zip(a, b, (x, y) => (x < y ? 1 : 0)),
    (K, a, b) => K.zip(a, b, (x, y) => (x < y ? 0 : 1)),
  ),
  sum: {
    impl: (K, [x], p) => K.sum(x, p.axes, p.keep),
    jvp: (K, _x, _y, [t], p) => (t ? K.sum(t, p.axes, p.keep) : null),
    vjp: (K, [x], _y, ct, p) => [K.broadcastTo(K.reshape(ct, reducedShape(x.shape, p.axes, true)), [...x.shape])],
  },
  max: {
    impl: (K, [x], p) => {
      const best = K.argmax(x, p.axes);
      return arr(Float64Array.from(best, (i) => x.data[i]), reducedShape(x.shape, p.axes, p.keep));
    },
    jvp: (K, [x], y, [t], p) => (t ? arr(Float64Array.from(K.argmax(x, p.axes), (i) => t.data[i]), [...y.shape]) : null),
    vjp: (K, [x], _y, ct, p) => [K.scatter(ct, K.argmax(x, p.axes), [...x.shape])],
  },
  prod: {
    impl: (K, [x], p) => arr(K.products(x, p.axes).out, reducedShape(x.shape, p.axes, p.keep)),
    jvp: (K, [x], y, [t], p) => (t ? arr(K.sum(K.mul(t, arr(K.products(x, p.axes).others, [...x.shape])), p.axes, p.keep).data, [...y.shape]) : null),
    vjp: (K, [x], _y, ct, p) => [K.mul(K.broadcastTo(K.reshape(ct, reducedShape(x.shape, p.axes, true)), [...x.shape]), arr(K.products(x, p.axes).others, [...x.shape]))],
  },
  reshape: {
    impl: (K, [x], p) => K.reshape(x, p.shape),
    jvp: (K, _x, _y, [t], p) => (t ? K.reshape(t, p.shape) : null),
    vjp: (K, [x], _y, ct) => [K.reshape(ct, [...x.shape])],
  },
  transpose: linearMap((_K, x, p) => ({ map: transposeMap(x.shape, p.perm), shape: transposeShape(x.shape, p.perm) })),
  broadcast: linearMap((_K, x, p) => ({ map: broadcastMap(x.shape, p.shape), shape: p.shape })),
  slice: linearMap((_K, x, p) => ({ map: sliceMap(x.shape, p.begin, p.size, p.step), shape: p.size })),
  pad: linearMap((_K, x, p) => ({ map: padMap(x.shape, p.widths), shape: padShape(x.shape, p.widths), fill: p.value })),
  flip: linearMap((_K, x, p) => ({ map: flipMap(x.shape, p.axes), shape: [...x.shape] })),
  gather: linearMap((_K, x, p, args) => gatherMap(x.shape, p.axis, args[1].data)),
  takeAlong: linearMap((_K, x, p, args) => ({ map: takeAlongMap(x.shape, p.axis, args[1]), shape: [...args[1].shape] })),
  concat: {
    impl: (K, args, p) => concat(args, p.axis),
    jvp: (K, args, _y, t, p) => (t.some((v) => v) ? concat(args.map((a, k) => t[k] ?? K.zeros(a.shape)), p.axis) : null),
    vjp: (K, args, y, ct, p) => {
      let offset = 0;
      return args.map((a) => {
        const begin = a.shape.map((_, d) => (d === p.axis ? offset : 0));
        offset += a.shape[p.axis];
        return K.take(ct, sliceMap(y.shape, begin, a.shape, a.shape.map(() => 1)), [...a.shape]);
      });
    },
  },
  cumsum: {
    impl: (K, [x], p) => K.cumsum(x, p.axis, !!p.reverse),
    jvp: (K, _x, _y, [t], p) => (t ? K.cumsum(t, p.axis, !!p.reverse) : null),
    vjp: (K, _x, _y, ct, p) => [K.cumsum(ct, p.axis, !p.reverse)],
  },
  stopGradient: { impl: (_K, [x]) => x, jvp: () => null, vjp: () => [null] },
  einsum: bilinear((p) => p.spec),
  matmul: bilinear((_p, a, b) => matmulSpec(a.shape.length, b.shape.length)),
  conv: {
    impl: (K, [x, w], p) => from2d(K.conv(as2d(x, p), as2d(w, p), ...convParams(p)), p),
    jvp: (K, [x, w], _y, [tx, tw], p) =>
      K.plus(tx ? from2d(K.conv(as2d(tx, p), as2d(w, p), ...convParams(p)), p) : null, tw ? from2d(K.conv(as2d(x, p), as2d(tw, p), ...convParams(p)), p) : null),
    vjp: (K, [x, w], _y, ct, p) => {
      const [stride, pad] = convParams(p);
      const c2 = as2d(ct, p);
      const x2 = as2d(x, p);
      const w2 = as2d(w, p);
      return [arr(K.convBackInput(c2, w2, x2.shape, stride, pad).data, [...x.shape]), arr(K.convBackWeight(c2, x2, w2.shape, stride, pad).data, [...w.shape])];
    },
  },
};

function concat(args: Arr[], axis: number): Arr {
  const shape = [...args[0].shape];
  shape[axis] = args.reduce((s, a) => s + a.shape[axis], 0);
  const out = new Float64Array(sizeOf(shape));
  const ss = stridesOf(shape);
  let offset = 0;
  for (const a of args) {
    forEachIndex(a.shape, (idx, flat) => {
      let k = 0;
      for (let d = 0; d < shape.length; d++) k += (d === axis ? idx[d] + offset : idx[d]) * ss[d];
      out[k] = a.data[flat];
    });
    offset += a.shape[axis];
  }
  return arr(out, shape);
}

// ---------------------------------------------------------------------------------------------
// Graphs and tracing

export interface GraphNode {
  prim: string;
  args: number[];
  params: Params;
  shape: number[];
}
export interface GraphInput {
  name: string;
  id: number;
  shape: number[];
  /** false for constants (indices, targets): no tangent, no cotangent. */
  grad: boolean;
}
export interface Graph {
  nodes: GraphNode[];
  inputs: GraphInput[];
  output: number;
}

const K64 = new Kernels(makeArith('float64'));

/** A traced value. Numbers given as operands become constants. */
export class Sym {
  constructor(
    readonly tracer: Tracer,
    readonly id: number,
    readonly shape: number[],
  ) {}
  private e(prim: string, args: Operand[], params: Params = {}): Sym {
    return this.tracer.emit(prim, [this, ...args], params);
  }
  get rank(): number {
    return this.shape.length;
  }
  get size(): number {
    return sizeOf(this.shape);
  }
  // element-wise
  neg = () => this.e('neg', []);
  exp = () => this.e('exp', []);
  log = () => this.e('log', []);
  tanh = () => this.e('tanh', []);
  sigmoid = () => this.e('sigmoid', []);
  sin = () => this.e('sin', []);
  cos = () => this.e('cos', []);
  sqrt = () => this.e('sqrt', []);
  erf = () => this.e('erf', []);
  softplus = () => this.e('softplus', []);
  abs = () => this.e('abs', []);
  powc = (c: number) => this.e('powc', [], { c });
  square = () => this.mul(this);
  reciprocal = () => this.tracer.constant(1).div(this);
  add = (o: Operand) => this.e('add', [o]);
  sub = (o: Operand) => this.e('sub', [o]);
  mul = (o: Operand) => this.e('mul', [o]);
  div = (o: Operand) => this.e('div', [o]);
  pow = (o: Operand) => this.e('pow', [o]);
  rsub = (c: number) => this.tracer.constant(c).sub(this);
  // reductions (axes: undefined for all; negative axes count from the end)
  private axes(axis?: number | number[]): number[] {
    if (axis === undefined) return this.shape.map((_, i) => i);
    return (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + this.rank : a)).sort((a, b) => a - b);
  }
  sum = (axis?: number | number[], keep = false) => this.e('sum', [], { axes: this.axes(axis), keep });
  max = (axis?: number | number[], keep = false) => this.e('max', [], { axes: this.axes(axis), keep });
  min = (axis?: number | number[], keep = false) => this.neg().max(axis, keep).neg();
  prod = (axis?: number | number[], keep = false) => this.e('prod', [], { axes: this.axes(axis), keep });
  mean = (axis?: number | number[], keep = false) => this.sum(axis, keep).div(this.axes(axis).reduce((n, a) => n * this.shape[a], 1));
  variance = (axis?: number | number[], keep = false) => this.sub(this.mean(axis, true)).square().mean(axis, keep);
  norm = (axis?: number | number[], keep = false) => this.square().sum(axis, keep).sqrt();
  logsumexp = (axis?: number | number[], keep = false) => {
    const m = stopGradient(this.max(axis, true));
    const s = this.sub(m).exp().sum(axis, true).log().add(m);
    return keep ? s : s.reshape(this.shape.filter((_, i) => !this.axes(axis).includes(i)));
  };
  softmax = (axis = -1) => {
    const e = this.sub(stopGradient(this.max(axis, true))).exp();
    return e.div(e.sum(axis, true));
  };
  logSoftmax = (axis = -1) => {
    const z = this.sub(stopGradient(this.max(axis, true)));
    return z.sub(z.exp().sum(axis, true).log());
  };
  cumsum = (axis: number, reverse = false) => this.e('cumsum', [], { axis: axis < 0 ? axis + this.rank : axis, reverse });
  // movement
  reshape = (shape: number[]) => this.e('reshape', [], { shape });
  transpose = (perm?: number[]) => this.e('transpose', [], { perm: perm ?? this.shape.map((_, i) => this.rank - 1 - i) });
  /** Swaps the last two axes. */
  get T(): Sym {
    const perm = this.shape.map((_, i) => i);
    [perm[this.rank - 2], perm[this.rank - 1]] = [perm[this.rank - 1], perm[this.rank - 2]];
    return this.transpose(perm);
  }
  broadcastTo = (shape: number[]) => this.e('broadcast', [], { shape });
  slice = (begin: number[], size: number[], step?: number[]) => this.e('slice', [], { begin, size, step: step ?? size.map(() => 1) });
  pad = (widths: number[][], value = 0) => this.e('pad', [], { widths, value });
  flip = (axes: number[]) => this.e('flip', [], { axes });
  gather = (indices: Sym, axis = 0) => this.e('gather', [indices], { axis });
  takeAlong = (indices: Sym, axis: number) => this.e('takeAlong', [indices], { axis });
  tile = (reps: number[]) => {
    const inter = this.shape.flatMap((d) => [1, d]);
    const big = this.shape.flatMap((d, i) => [reps[i], d]);
    return this.reshape(inter).broadcastTo(big).reshape(this.shape.map((d, i) => d * reps[i]));
  };
  matmul = (o: Sym) => this.e('matmul', [o]);
}

export type Operand = Sym | number;

export const stopGradient = (x: Sym): Sym => x.tracer.emit('stopGradient', [x], {});
export const maximum = (a: Sym, b: Operand): Sym => a.tracer.emit('maximum', [a, b], {});
export const minimum = (a: Sym, b: Operand): Sym => a.tracer.emit('minimum', [a, b], {});
export const einsum = (spec: string, a: Sym, b: Sym): Sym => a.tracer.emit('einsum', [a, b], { spec });
export const concatenate = (xs: Sym[], axis: number): Sym => xs[0].tracer.emit('concat', xs, { axis: axis < 0 ? axis + xs[0].rank : axis });
export const stack = (xs: Sym[]): Sym => concatenate(xs.map((x) => x.reshape([1, ...x.shape])), 0);
/** torch.nn.functional.conv1d: x [N, C, L], w [O, C, K]. */
export const conv1d = (x: Sym, w: Sym, { stride = 1, pad = 0 } = {}): Sym => x.tracer.emit('conv', [x, w], { dims: 1, stride: [stride], pad: [pad] });
/** torch.nn.functional.conv2d: x [N, C, H, W], w [O, C, KH, KW]. */
export const conv2d = (x: Sym, w: Sym, { stride = 1, pad = 0 } = {}): Sym => x.tracer.emit('conv', [x, w], { dims: 2, stride: [stride, stride], pad: [pad, pad] });

export class Tracer {
  readonly nodes: GraphNode[] = [];
  private readonly dummies: Arr[] = [];
  input(name: string, shape: number[], grad: boolean): Sym {
    return this.push({ prim: 'input', args: [], params: { name }, shape: [...shape] }, K64.zeros(shape));
  }
  constant(value: number | number[], shape: number[] = []): Sym {
    const data = Float64Array.from(typeof value === 'number' ? [value] : value);
    if (data.length !== sizeOf(shape)) throw new Error('constant: values do not fit the shape');
    return this.push({ prim: 'const', args: [], params: { data: Array.from(data) }, shape: [...shape] }, arr(data, [...shape]));
  }
  emit(prim: string, args: Operand[], params: Params): Sym {
    const syms = args.map((a) => (typeof a === 'number' ? this.constant(a) : a));
    const p = PRIMITIVES[prim];
    if (!p) throw new Error(`unknown primitive ${prim}`);
    const out = p.impl(K64, syms.map((s) => this.dummies[s.id]), params);
    return this.push({ prim, args: syms.map((s) => s.id), params, shape: [...out.shape] }, out);
  }
  private push(node: GraphNode, dummy: Arr): Sym {
    this.nodes.push(node);
    this.dummies.push(dummy);
    return new Sym(this, this.nodes.length - 1, node.shape);
  }
}

/** Traces fn on inputs of the given shapes (grad: false for constants) into a graph. */
export function trace(inputs: Record<string, { shape: number[]; grad: boolean }>, fn: (x: Record<string, Sym>) => Sym): Graph {
  const tracer = new Tracer();
  const syms: Record<string, Sym> = {};
  const list: GraphInput[] = [];
  for (const [name, { shape, grad }] of Object.entries(inputs)) {
    syms[name] = tracer.input(name, shape, grad);
    list.push({ name, id: syms[name].id, shape: [...shape], grad });
  }
  const out = fn(syms);
  return { nodes: tracer.nodes, inputs: list, output: out.id };
}

// ---------------------------------------------------------------------------------------------
// Interpreters

export interface Engine {
  readonly backend: Backend;
  readonly kernels: Kernels;
  evaluate(graph: Graph, inputs: Record<string, ArrayLike<number>>): Arr;
  /** The gradient of dot(cotangent, output) for each differentiable input. */
  vjp(graph: Graph, inputs: Record<string, ArrayLike<number>>, cotangent: ArrayLike<number>): Record<string, Float64Array>;
  /** The output's tangent for the given input tangents (missing ones are zero). */
  jvp(graph: Graph, inputs: Record<string, ArrayLike<number>>, tangents: Record<string, ArrayLike<number> | undefined>): Arr;
}

export function makeEngine(backend: Backend): Engine {
  const A = makeArith(backend);
  const K = new Kernels(A);
  const read = (values: ArrayLike<number>, shape: number[]): Arr => {
    if (values.length !== sizeOf(shape)) throw new Error(`expected ${sizeOf(shape)} values for shape [${shape}], got ${values.length}`);
    return arr(Float64Array.from(values, A.r), [...shape]);
  };
  const inputOf = (graph: Graph, id: number) => graph.inputs.find((i) => i.id === id)!;
  /** Which nodes depend on a differentiable input (through anything but stopGradient). */
  const active = (graph: Graph): boolean[] => {
    const on: boolean[] = [];
    graph.nodes.forEach((node, i) => {
      if (node.prim === 'input') on[i] = inputOf(graph, i).grad;
      else if (node.prim === 'const' || node.prim === 'stopGradient') on[i] = false;
      else on[i] = node.args.some((a) => on[a]);
    });
    return on;
  };
  const forward = (graph: Graph, inputs: Record<string, ArrayLike<number>>): Arr[] => {
    const vals: Arr[] = [];
    graph.nodes.forEach((node, i) => {
      if (node.prim === 'input') {
        const given = inputs[node.params.name];
        if (!given) throw new Error(`missing input '${node.params.name}'`);
        vals[i] = read(given, node.shape);
      } else if (node.prim === 'const') vals[i] = read(node.params.data, node.shape);
      else vals[i] = PRIMITIVES[node.prim].impl(K, node.args.map((a) => vals[a]), node.params);
    });
    return vals;
  };
  return {
    backend,
    kernels: K,
    evaluate: (graph, inputs) => forward(graph, inputs)[graph.output],
    vjp(graph, inputs, cotangent) {
      const vals = forward(graph, inputs);
      const on = active(graph);
      const cts: (Arr | null)[] = graph.nodes.map(() => null);
      cts[graph.output] = read(cotangent, graph.nodes[graph.output].shape);
      for (let i = graph.nodes.length - 1; i >= 0; i--) {
        const ct = cts[i];
        const node = graph.nodes[i];
        if (!ct || !on[i] || node.prim === 'input') continue;
        const contributions = PRIMITIVES[node.prim].vjp(K, node.args.map((a) => vals[a]), vals[i], ct, node.params);
        node.args.forEach((a, k) => {
          const c = contributions[k];
          if (c && on[a]) cts[a] = K.plus(cts[a], c);
        });
      }
      const grads: Record<string, Float64Array> = {};
      for (const input of graph.inputs) if (input.grad) grads[input.name] = cts[input.id]?.data ?? new Float64Array(sizeOf(input.shape));
      return grads;
    },
    jvp(graph, inputs, tangents) {
      const vals = forward(graph, inputs);
      const on = active(graph);
      const tans: Tan[] = [];
      graph.nodes.forEach((node, i) => {
        if (!on[i]) tans[i] = null;
        else if (node.prim === 'input') {
          const t = tangents[node.params.name];
          tans[i] = t ? read(t, node.shape) : null;
        } else {
          const t = node.args.map((a) => tans[a]);
          tans[i] = t.some((v) => v) ? PRIMITIVES[node.prim].jvp(K, node.args.map((a) => vals[a]), vals[i], t, node.params) : null;
        }
      });
      return tans[graph.output] ?? K.zeros(graph.nodes[graph.output].shape);
    },
  };
}
