import { allocate } from './storage.ts';
import { runBackward, type TapeNode } from './autograd.ts';
import { ShapeError, formatShape, sameShape, sizeOf } from './shape.ts';
import * as ew from '../ops/elementwise.ts';
import * as red from '../ops/reduce.ts';
import * as mov from '../ops/movement.ts';
import * as cum from '../ops/cumulative.ts';
import { sort, topk } from '../ops/sort.ts';
import { matmul } from '../ops/matmul.ts';
import { logSoftmax, softmax } from '../ops/nn.ts';

export type NestedArray = number | NestedArray[];

export class Tensor {
  data: Float64Array;
  shape: number[];
  grad: Tensor | null = null;
  requiresGrad: boolean;
  readonly size: number;
  readonly op: string = 'leaf';
  readonly parents: readonly Tensor[] = [];
  /** @internal Tape entry; null for leaves. Set only by `record`. */
  node: TapeNode | null = null;

  constructor(data: Float64Array, shape: number[], requiresGrad = false) {
    // A plain loop: every op's output comes through here, thousands of times per check.
    let size = 1;
    for (let d = 0; d < shape.length; d++) {
      const dim = shape[d];
      if (!Number.isInteger(dim) || dim < 0) throw new ShapeError(`Tensor: invalid shape ${formatShape(shape)}`);
      size *= dim;
    }
    if (data.length !== size) {
      throw new ShapeError(`Tensor: ${data.length} values do not fill shape ${formatShape(shape)} (size ${size})`);
    }
    this.data = data;
    this.shape = shape.slice();
    this.size = size;
    this.requiresGrad = requiresGrad;
  }

  add(o: Tensor | number): Tensor { return ew.add(this, o); }
  sub(o: Tensor | number): Tensor { return ew.sub(this, o); }
  mul(o: Tensor | number): Tensor { return ew.mul(this, o); }
  div(o: Tensor | number): Tensor { return ew.div(this, o); }
  neg(): Tensor { return ew.neg(this); }
  pow(p: number): Tensor { return ew.pow(this, p); }
  exp(): Tensor { return ew.exp(this); }
  log(): Tensor { return ew.log(this); }
  sqrt(): Tensor { return ew.sqrt(this); }
  abs(): Tensor { return ew.abs(this); }
  square(): Tensor { return ew.square(this); }
  tanh(): Tensor { return ew.tanh(this); }
  sigmoid(): Tensor { return ew.sigmoid(this); }
  relu(): Tensor { return ew.relu(this); }
  sin(): Tensor { return ew.sin(this); }
  cos(): Tensor { return ew.cos(this); }
  tan(): Tensor { return ew.tan(this); }
  erf(): Tensor { return ew.erf(this); }
  log1p(): Tensor { return ew.log1p(this); }
  expm1(): Tensor { return ew.expm1(this); }
  sign(): Tensor { return ew.sign(this); }
  clamp(min?: number, max?: number): Tensor { return ew.clamp(this, min, max); }
  minimum(o: Tensor | number): Tensor { return ew.minimum(this, o); }
  maximum(o: Tensor | number): Tensor { return ew.maximum(this, o); }

  sum(axis?: number | number[], keepDims = false): Tensor { return red.sum(this, axis, keepDims); }
  mean(axis?: number | number[], keepDims = false): Tensor { return red.mean(this, axis, keepDims); }
  max(axis?: number | number[], keepDims = false): Tensor { return red.max(this, axis, keepDims); }
  min(axis?: number | number[], keepDims = false): Tensor { return red.min(this, axis, keepDims); }
  logsumexp(axis?: number | number[], keepDims = false): Tensor { return red.logsumexp(this, axis, keepDims); }
  cumsum(axis: number): Tensor { return cum.cumsum(this, axis); }
  cumprod(axis: number): Tensor { return cum.cumprod(this, axis); }
  expand(shape: number[]): Tensor { return red.expand(this, shape); }

  matmul(o: Tensor): Tensor { return matmul(this, o); }
  transpose(axes?: number[]): Tensor { return mov.transpose(this, axes); }
  reshape(shape: number[]): Tensor { return mov.reshape(this, shape); }
  gather(indices: Tensor | ArrayLike<number>, axis = 0): Tensor { return mov.gather(this, indices, axis); }
  narrow(axis: number, start: number, length: number): Tensor { return mov.narrow(this, axis, start, length); }
  split(sizes: number | readonly number[], axis = 0): Tensor[] { return mov.split(this, sizes, axis); }
  pad(widths: readonly (readonly [number, number])[], value = 0): Tensor { return mov.pad(this, widths, value); }
  flip(axes: number | readonly number[]): Tensor { return mov.flip(this, axes); }
  squeeze(axis?: number | readonly number[]): Tensor { return mov.squeeze(this, axis); }
  unsqueeze(axis: number): Tensor { return mov.unsqueeze(this, axis); }
  sort(axis = -1, descending = false): Tensor { return sort(this, axis, descending); }
  topk(k: number, axis = -1, largest = true): Tensor { return topk(this, k, axis, largest); }
  softmax(axis = -1): Tensor { return softmax(this, axis); }
  logSoftmax(axis = -1): Tensor { return logSoftmax(this, axis); }

  /** A copy, so perturbing either tensor's data cannot change the other. */
  detach(): Tensor {
    return new Tensor(this.data.slice(), this.shape);
  }

  backward(grad?: Tensor, options: { createGraph?: boolean } = {}): void {
    let seed = grad;
    if (seed === undefined) {
      if (this.size !== 1) {
        throw new ShapeError(`backward: a gradient is required for non-scalar output of shape ${formatShape(this.shape)}`);
      }
      seed = ones(this.shape);
    } else if (!sameShape(seed.shape, this.shape)) {
      throw new ShapeError(
        `backward: gradient of shape ${formatShape(seed.shape)} does not match output of shape ${formatShape(this.shape)}`,
      );
    }
    runBackward(this, seed, options.createGraph ?? false);
  }

  item(): number {
    if (this.size !== 1) throw new ShapeError(`item: tensor of shape ${formatShape(this.shape)} has ${this.size} values, not 1`);
    return this.data[0];
  }

  toArray(): NestedArray {
    const build = (dim: number, offset: number): NestedArray => {
      if (dim === this.shape.length) return this.data[offset];
      const stride = sizeOf(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, offset + i * stride));
    };
    return build(0, 0);
  }

  zeroGrad(): void {
    this.grad = null;
  }

  requireGrad(flag = true): this {
    this.requiresGrad = flag;
    return this;
  }
}

function inferShape(values: NestedArray, path: string): number[] {
  if (typeof values === 'number') return [];
  if (!Array.isArray(values)) throw new TypeError(`tensor: expected a number or array at ${path}, got ${typeof values}`);
  if (values.length === 0) return [0];
  return [values.length, ...inferShape(values[0], `${path}[0]`)];
}

function flattenInto(values: NestedArray, shape: number[], dim: number, out: number[], path: string): void {
  if (dim === shape.length) {
    if (typeof values !== 'number') throw new ShapeError(`tensor: ragged nested array at ${path} (expected a number)`);
    out.push(values);
    return;
  }
  if (!Array.isArray(values) || values.length !== shape[dim]) {
    const got = Array.isArray(values) ? `length ${values.length}` : typeof values;
    throw new ShapeError(`tensor: ragged nested array at ${path} (expected length ${shape[dim]}, got ${got})`);
  }
  values.forEach((v, i) => flattenInto(v, shape, dim + 1, out, `${path}[${i}]`));
}

/**
 * Nested arrays infer their shape; a flat array or typed array is 1-D unless
 * `shape` is given. Values are always copied.
 */
export function tensor(values: NestedArray | ArrayLike<number>, shape?: number[]): Tensor {
  let flat: Float64Array;
  let inferred: number[];
  if (typeof values === 'number' || Array.isArray(values)) {
    inferred = inferShape(values as NestedArray, 'values');
    const out: number[] = [];
    flattenInto(values as NestedArray, inferred, 0, out, 'values');
    flat = Float64Array.from(out);
  } else {
    flat = Float64Array.from(values);
    inferred = [flat.length];
  }
  const finalShape = shape ?? inferred;
  if (flat.length !== sizeOf(finalShape)) {
    throw new ShapeError(
      `tensor: ${flat.length} values cannot have shape ${formatShape(finalShape)} (size ${sizeOf(finalShape)})`,
    );
  }
  return new Tensor(flat, finalShape);
}

export function zeros(shape: number[]): Tensor {
  return new Tensor(allocate(sizeOf(shape)), shape);
}

export function ones(shape: number[]): Tensor {
  return new Tensor(allocate(sizeOf(shape)).fill(1), shape);
}

/** A constant; shape [] so it broadcasts against anything. */
export function scalar(value: number): Tensor {
  return new Tensor(Float64Array.of(value), []);
}

/**
 * A Tensor of another copy of gradcheck (a second install, or its sources imported by path beside
 * the 'gradcheck' an op file gets): an object of a class named Tensor, with data and shape, that is
 * no instance of this copy's. No tape of this copy records it, so a forward cannot return it.
 */
export function isForeignTensor(value: unknown): value is { data: ArrayLike<number>; shape: number[] } {
  if (value === null || typeof value !== 'object' || value instanceof Tensor) return false;
  const candidate = value as { constructor?: { name?: unknown }; data?: unknown; shape?: unknown };
  return candidate.constructor?.name === 'Tensor' && ArrayBuffer.isView(candidate.data) && Array.isArray(candidate.shape);
}

/** What the error says of a foreign Tensor, and what to do about it. */
export const FOREIGN_TENSOR = "a Tensor from another copy of gradcheck: import defineOp, customOp and every tensor op from the same 'gradcheck'";
