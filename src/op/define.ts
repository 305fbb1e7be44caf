// defineOp: what an op file exports. It only records the spec (and where it was written);
// everything is validated when the op is checked, so one bad op never hides the others.
import { Tensor } from '../core/index.ts';
import type { NestedArray } from '../core/index.ts';
import { fileURLToPath } from 'node:url';
import { stackLocations } from './stack.ts';
import type { SourceLocation } from './stack.ts';

export type { SourceLocation };


/**
 * A shape draws seeded standard-normal values; `low`/`high` draws uniform values; `values` fixes
 * them. `grad: false` makes the input a constant (a mask, a target): never perturbed, and no
 * gradient expected. `integer: true` draws integers from [low, high) (indices, ids) and implies
 * `grad: false`.
 */
export type InputSpec =
  | number[]
  | { shape: number[]; low?: number; high?: number; values?: ArrayLike<number> | NestedArray; grad?: boolean; integer?: boolean };

/** An input spec's shape as declared, before anything is validated; null when it has none that is an array of numbers. */
export function declaredShape(spec: InputSpec): number[] | null {
  const shape = Array.isArray(spec) ? spec : spec?.shape;
  return Array.isArray(shape) && shape.every((d) => typeof d === 'number') ? [...shape] : null;
}

export interface OpOptions {
  /** Overrides the run's tolerance for this op. */
  tolerance?: number;
  /** What the op computes in (default float64); a float32 op gets the float32 tolerance by default. */
  precision?: Precision;
}

export type Precision = 'float64' | 'float32';

export interface TensorOpSpec<Name extends string> extends OpOptions {
  name: string;
  inputs: Record<Name, InputSpec>;
  /** Built from gradcheck's tensor ops; the analytic side is gradcheck's own tape. */
  forward: (inputs: Record<Name, Tensor>) => Tensor;
}

/** A number, a flat array-like, or nested arrays of numbers (row-major). */
export type EngineValue = number | ArrayLike<number> | NestedArray;

/** What an engine's evaluate and vjp learn about the arrays they get: each input's shape by name. */
export interface EngineContext<Name extends string> {
  shapes: Record<Name, number[]>;
}

export interface EngineOpSpec<Name extends string> extends OpOptions {
  name: string;
  inputs: Record<Name, InputSpec>;
  /** Any engine: flat row-major arrays in (their shapes in the context), a number or an array out. */
  evaluate: (inputs: Record<Name, Float64Array>, context: EngineContext<Name>) => EngineValue;
  /**
   * The engine's backward: the gradient of dot(cotangent, output) for each input (an input that
   * takes none, `grad: false`, may be left out). `outputShape` is the shape evaluate's output had.
   */
  vjp: (
    inputs: Record<Name, Float64Array>,
    cotangent: Float64Array,
    context: EngineContext<Name> & { outputShape: number[] },
  ) => Partial<Record<Name, EngineValue | null>>;
}

export type OpSpec<Name extends string = string> = TensorOpSpec<Name> | EngineOpSpec<Name>;

const OP_BRAND = Symbol.for('gradcheck.op');

export interface Op {
  readonly [OP_BRAND]: true;
  readonly name: string;
  readonly spec: OpSpec;
  /** Where defineOp was called, when the stack says so (for CI annotations). */
  readonly location?: SourceLocation;
}

export function defineOp<Name extends string>(spec: TensorOpSpec<Name>): Op;
export function defineOp<Name extends string>(spec: EngineOpSpec<Name>): Op;
export function defineOp(spec: OpSpec): Op {
  const name = spec !== null && typeof spec === 'object' && typeof spec.name === 'string' ? spec.name : '(unnamed)';
  return { [OP_BRAND]: true, name, spec, location: callerLocation() };
}

export function isOp(value: unknown): value is Op {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[OP_BRAND] === true;
}


// defineOp's own file and tfjsOp's (which calls defineOp for its caller), as sources or as the built dist/.
const OWN_FILES = new Set(['define.ts', 'define.js', '../adapters/tfjs.ts', '../adapters/tfjs.js'].map((name) => fileURLToPath(new URL(name, import.meta.url))));

/** The first stack frame outside gradcheck's own files: the line of the defineOp call. */
function callerLocation(): SourceLocation | undefined {
  return stackLocations(new Error().stack).find((location) => !OWN_FILES.has(location.file));
}
