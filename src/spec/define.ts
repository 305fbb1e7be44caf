// defineOp: what an op file exports. It only records the spec (and where it was written);
// everything is validated when the op is checked, so one bad op never hides the others.
import { Tensor } from '../core/index.ts';
import type { NestedArray } from '../core/index.ts';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stackLocations } from './stack.ts';
import type { SourceLocation } from './stack.ts';

export type { SourceLocation };


/**
 * A dimension: a size, or a name whose size the op's `dims` range gives (default [1, 8]). Inputs
 * that name the same dimension share its size; a plain run draws one size per name, `--explore`
 * many (size 1 and unequal sizes among them).
 */
export type Dimension = number | string;

/**
 * A shape draws seeded standard-normal values; `low`/`high` draws uniform values; `values` fixes
 * them. `grad: false` makes the input a constant (a mask, a target): never perturbed, and no
 * gradient expected. `integer: true` draws integers from [low, high) (indices, ids) and implies
 * `grad: false`.
 */
export type InputSpec =
  | Dimension[]
  | {
      shape: Dimension[];
      low?: number;
      high?: number;
      values?: ArrayLike<number> | NestedArray;
      grad?: boolean;
      integer?: boolean;
      /** Where the op is defined, e.g. [0, Infinity] for log or sqrt: no step leaves it. */
      domain?: [number, number];
    };

/**
 * An input spec's shape as declared, before anything is validated (named dimensions as their names);
 * null when it has none that is an array of sizes and names.
 */
export function declaredShape(spec: InputSpec): Dimension[] | null {
  const shape = Array.isArray(spec) ? spec : spec?.shape;
  return Array.isArray(shape) && shape.every((d) => typeof d === 'number' || typeof d === 'string') ? [...shape] : null;
}

export interface OpOptions {
  /** Overrides the run's tolerance for this op. */
  tolerance?: number;
  /** The range [min, max] of each named dimension's size (default [1, 8]). */
  dims?: Record<string, [number, number]>;
  /** What the op computes in (default float64); a float32 op gets the float32 tolerance by default. */
  precision?: Precision;
  /**
   * A backward nondeterministic by design (parallel or atomic sums): a second run may differ from
   * the first by this much (relative) without failing the op. Overrides the run's --nondet-tol.
   */
  nondetTolerance?: number;
  /** Not checked, and reported as skipped with this reason (true: no reason given). */
  skip?: string | boolean;
  /**
   * 'fail': a known failure (an upstream gradient bug) parked as vitest's it.fails parks a test: a
   * failing check, or a throw of the op's own code, is reported with its diagnosis and does not fail
   * the run; a check that passes fails it, so the mark comes off once the bug is fixed.
   */
  expect?: 'fail' | 'pass';
}

export type Precision = 'float64' | 'float32';

/** What a forward returns: its output, or several (an array or a record of tensors), each checked with its own cotangent. */
export type TensorOutput = Tensor | Tensor[] | Record<string, Tensor>;

export interface TensorOpSpec<Name extends string> extends OpOptions {
  name: string;
  inputs: Record<Name, InputSpec>;
  /** Built from gradcheck's tensor ops; the analytic side is gradcheck's own tape. */
  forward: (inputs: Record<Name, Tensor>) => TensorOutput;
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
   * takes none, `grad: false`, may be left out). `outputShape` is the shape evaluate's output had,
   * or the one the op declares.
   */
  vjp: (
    inputs: Record<Name, Float64Array>,
    cotangent: Float64Array,
    context: EngineContext<Name> & { outputShape: number[] },
  ) => Partial<Record<Name, EngineValue | null>>;
  /** The shape of an output evaluate returns flat (sizes or named dimensions): `[2, 3]` for six values. */
  outputShape?: Dimension[];
  outputs?: never;
  /**
   * The engine's forward mode, if it has one: the output's tangent J·v for one tangent per input
   * (constants get none). gradcheck checks it against finite differences and, where vjp exists,
   * their consistency uᵀ(J v) = (Jᵀu)ᵀ v.
   */
  jvp?: (inputs: Record<Name, Float64Array>, tangents: Record<Name, Float64Array>, context: EngineContext<Name>) => EngineValue;
}

/**
 * An engine op with several outputs (an LSTM cell's h and c), named with their shapes by `outputs`
 * (`{ h: ['batch', 4], c: ['batch', 4] }`; null for the shape evaluate gives): evaluate returns a
 * record of them; vjp is handed one cotangent per output in a record of the same keys (an array of
 * length 1 for a scalar output; zeros for an output checked as unused), and their shapes.
 */
export interface EngineOutputsSpec<Name extends string, Out extends string> extends OpOptions {
  name: string;
  inputs: Record<Name, InputSpec>;
  outputs: Record<Out, Dimension[] | null>;
  evaluate: (inputs: Record<Name, Float64Array>, context: EngineContext<Name>) => Record<Out, EngineValue>;
  vjp: (
    inputs: Record<Name, Float64Array>,
    cotangents: Record<Out, Float64Array>,
    context: EngineContext<Name> & { outputShape: Record<Out, number[]> },
  ) => Partial<Record<Name, EngineValue | null>>;
  jvp?: (inputs: Record<Name, Float64Array>, tangents: Record<Name, Float64Array>, context: EngineContext<Name>) => Record<Out, EngineValue>;
  outputShape?: never;
}

/** The same with evaluate returning an array of outputs, named in order by `outputs`; vjp is handed an array of cotangents. */
export interface EngineOutputListSpec<Name extends string> extends OpOptions {
  name: string;
  inputs: Record<Name, InputSpec>;
  outputs: string[];
  evaluate: (inputs: Record<Name, Float64Array>, context: EngineContext<Name>) => EngineValue[];
  vjp: (
    inputs: Record<Name, Float64Array>,
    cotangents: Float64Array[],
    context: EngineContext<Name> & { outputShape: number[][] },
  ) => Partial<Record<Name, EngineValue | null>>;
  jvp?: (inputs: Record<Name, Float64Array>, tangents: Record<Name, Float64Array>, context: EngineContext<Name>) => EngineValue[];
  outputShape?: never;
}

/** Any engine op, as the checker reads it: one output or several. */
export type AnyEngineOpSpec<Name extends string = string> = EngineOpSpec<Name> | EngineOutputsSpec<Name, string> | EngineOutputListSpec<Name>;

export type OpSpec<Name extends string = string> = TensorOpSpec<Name> | AnyEngineOpSpec<Name>;

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
export function defineOp<Name extends string>(spec: EngineOutputListSpec<Name>): Op;
export function defineOp<Name extends string, Out extends string>(spec: EngineOutputsSpec<Name, Out>): Op;
export function defineOp(spec: OpSpec): Op {
  const name = spec !== null && typeof spec === 'object' && typeof spec.name === 'string' ? spec.name : '(unnamed)';
  const frames = callerFrames();
  const op: Op = { [OP_BRAND]: true, name, spec, location: frames[0] };
  callers.set(op, frames);
  return op;
}

export function isOp(value: unknown): value is Op {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[OP_BRAND] === true;
}

/**
 * The ops of the op file `file` as it defines them: each located at the statement of that file that
 * made it, where the file calls defineOp, an adapter, or a helper (in another file or in this one)
 * that does. Undefined for an op no frame of which lies in the file (imported from another module and
 * re-exported).
 *
 * That statement is the outermost frame in the file that is this op's own. The frames every op of the
 * file shares are not: the body of a helper that made several, and, when tsx compiled the file to
 * CommonJS, the function it wraps the module in (mapped to the end of the file). A file with one op
 * has nothing to tell those apart by: its op is located at its first frame there, as for a helper in
 * another file.
 */
export function locatedIn(ops: readonly Op[], file: string): (Op | undefined)[] {
  const names = new Set([file]);
  try {
    names.add(realpathSync(file));
  } catch {
    // A path that does not resolve matches only as written.
  }
  const inFile = ops.map((op) => (callers.get(op) ?? []).filter((frame) => names.has(frame.file)));
  const at = (frame: SourceLocation) => `${frame.line}:${frame.column}`;
  const uses = new Map<string, number>();
  for (const frames of inFile) for (const position of new Set(frames.map(at))) uses.set(position, (uses.get(position) ?? 0) + 1);
  const several = inFile.filter((frames) => frames.length > 0).length > 1;
  return ops.map((op, k) => {
    const own = several ? inFile[k].filter((frame) => uses.get(at(frame)) === 1).at(-1) : undefined;
    const frame = own ?? inFile[k][0];
    if (frame === undefined) return undefined;
    return frame === op.location ? op : { ...op, location: frame };
  });
}

/** The stack frames of each op's defineOp call outside gradcheck, innermost first. */
const callers = new WeakMap<Op, SourceLocation[]>();

// gradcheck's own modules: src/ (or, built, dist/), where defineOp and the adapters that call it for
// their callers (tfjsOp, torchLikeOp, jsPytorchOp) live.
const OWN_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The frames of the defineOp call that lie outside gradcheck's own files, innermost first: the first
 * is the line that called defineOp (or an adapter), the rest its callers. V8's default of 10 frames
 * can run out inside a helper before reaching the op file.
 */
function callerFrames(): SourceLocation[] {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = Math.max(Number(limit) || 0, 64);
  try {
    return stackLocations(new Error().stack).filter((frame) => !frame.file.startsWith(OWN_ROOT));
  } finally {
    Error.stackTraceLimit = limit;
  }
}
