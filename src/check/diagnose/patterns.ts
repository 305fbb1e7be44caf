// Names the bug behind a failing input from data the check already has: the analytic gradient, the
// numeric one and the shape. Pure functions; the messages say what was seen and what to fix.
import { GradientShapeError, formatShape } from '../../core/index.ts';
import type { Diagnosis } from '../../model/report.ts';
import { compareGradients } from '../numeric/error.ts';
import { formatIndex, formatRatio, ONE_FACTOR, scaledBy, short } from '../../model/words.ts';

export interface FailedInput {
  name: string;
  shape: number[];
  analytic: Float64Array;
  numeric: Float64Array;
  /** Elements whose error exceeds the tolerance, worst first. */
  failing: number[];
  /** Magnitude below which a gradient element counts as negligible beside the rest (the compare floor). */
  floor: number;
  tolerance: number;
  /** How many times the input feeds the recorded computation (gradcheck's tape); unknown for other engines. */
  uses?: number;
}

/** The pattern of a wrong gradient: detached, transposed, sign-flipped, overwritten, scaled, or a plain mismatch. */
export function diagnosePattern(input: FailedInput): Diagnosis {
  return detached(input) ?? transposed(input) ?? ratioPattern(input) ?? mismatch(input);
}

function detached({ name, shape, analytic, numeric, failing }: FailedInput): Diagnosis | undefined {
  const zeroed = failing.filter((i) => analytic[i] === 0);
  if (zeroed.length === 0 || zeroed.length < failing.length) return undefined;
  const worst = zeroed[0];
  const allZero = analytic.every((v) => v === 0);
  const which = allZero ? `every one of its ${analytic.length} elements` : `${zeroed.length} of its ${analytic.length} elements`;
  return {
    code: 'detached',
    input: name,
    message:
      `the analytic gradient of '${name}' is exactly 0 on ${which}, while finite differences give up to ` +
      `${short(numeric[worst])} (at ${formatIndex(worst, shape)}): the graph is severed between '${name}' and the output ` +
      `(a .detach(), a read of .data, or a constant copy). Compute with the tensor itself so the tape records it.`,
  };
}

function transposed({ name, shape, analytic, numeric, failing, floor, tolerance }: FailedInput): Diagnosis | undefined {
  if (shape.length < 2) return undefined;
  const rows = shape[shape.length - 2];
  const cols = shape[shape.length - 1];
  if (rows !== cols || rows < 2) return undefined;
  const swapped = transposeLastTwo(numeric, shape);
  const { relErr: worst } = compareGradients(analytic, swapped, floor, 0);
  if (!(worst <= Math.max(100 * tolerance, 1e-5))) return undefined;
  return {
    code: 'transposed',
    input: name,
    message:
      `the analytic gradient of '${name}' equals the numeric one transposed (to ${short(worst)} relative error; ` +
      `${failing.length} of ${analytic.length} elements differ as given): the backward multiplies in the wrong order, ` +
      `e.g. dW = dYᵀ @ X where Xᵀ @ dY belongs. The shapes agree only because '${name}' is square ${formatShape(shape)}.`,
  };
}

/** A custom backward returned a gradient of the transposed shape: say so next to the shape error. */
export function transposedShape(error: unknown, opInput?: string): Diagnosis | undefined {
  const cause = error instanceof GradientShapeError ? error : (error as { cause?: unknown } | null)?.cause;
  if (!(cause instanceof GradientShapeError)) return undefined;
  const { expected, actual, op, input } = cause;
  if (expected.length < 2 || expected.length !== actual.length) return undefined;
  const n = expected.length;
  const swapped = [...expected.slice(0, n - 2), expected[n - 1], expected[n - 2]];
  if (!swapped.every((d, i) => d === actual[i]) || expected[n - 1] === expected[n - 2]) return undefined;
  return {
    code: 'transposed',
    input: opInput,
    message:
      `customOp '${op}' returned a gradient of shape ${formatShape(actual)} for '${input}', whose shape is ${formatShape(expected)}: ` +
      `the transpose. The backward multiplies in the wrong order (e.g. dY @ Xᵀ where Xᵀ @ dY belongs).`,
  };
}

/** One consistent ratio analytic/numeric over the failing elements: −1, a clean 1/k, or any other constant. */
function ratioPattern({ name, shape, analytic, numeric, failing, floor, uses }: FailedInput): Diagnosis | undefined {
  const ratios: number[] = [];
  for (const i of failing) if (Math.abs(numeric[i]) > floor) ratios.push(analytic[i] / numeric[i]);
  if (ratios.length === 0) return undefined;
  const ratio = median(ratios);
  const spread = Math.max(...ratios.map((r) => Math.abs(r - ratio)));
  if (!(spread <= Math.max(0.1 * Math.abs(ratio - 1), 1e-7))) return undefined;
  const where = failing.length === analytic.length ? `every element` : `${failing.length} of ${analytic.length} elements (first ${formatIndex(failing[0], shape)})`;
  if (Math.abs(ratio + 1) < 1e-3) {
    return {
      code: 'sign-flipped',
      input: name,
      detail: { ratio },
      message:
        `the analytic gradient of '${name}' is minus the numeric one on ${where} (ratio ${ratio.toFixed(4)}): a sign is flipped, ` +
        `e.g. a − b differentiated as b − a, or a gradient added where it should be subtracted.`,
    };
  }
  const k = Math.round(1 / ratio);
  // On the tape an input used once cannot have had contributions overwritten: a factor is missing.
  if (k >= 2 && k <= 8 && Math.abs(1 / ratio - k) < 1e-3 * k && uses === 1) {
    return {
      code: 'scaled',
      input: name,
      detail: { ratio },
      message:
        `the analytic gradient of '${name}' is 1/${k} of the numeric one on ${where}, and '${name}' feeds the computation once: ` +
        `a factor ${k} is missing (e.g. the 2 in the derivative of x², or a ${k}× repeated use inside a custom op's own forward).`,
    };
  }
  if (k >= 2 && k <= 8 && Math.abs(1 / ratio - k) < 1e-3 * k) {
    const once = uses === undefined ? ` If '${name}' is used only once, a factor ${k} is missing instead.` : '';
    return {
      code: 'overwritten',
      input: name,
      detail: { ratio },
      message:
        `the analytic gradient of '${name}' is 1/${k} of the numeric one on ${where}: when an input feeds the computation ${k} times, ` +
        `its contributions must add up, and all but one were overwritten (use += where = stands, e.g. self.grad += ...).${once}`,
    };
  }
  return {
    code: 'scaled',
    input: name,
    detail: { ratio },
    message: `the analytic gradient of '${name}' is ${scaledBy(ratio)} on ${where} (analytic/numeric = ${formatRatio(ratio)} throughout): ${ONE_FACTOR}`,
  };
}



function mismatch({ name, shape, analytic, numeric, failing }: FailedInput): Diagnosis {
  const worst = failing[0];
  const ratios = failing.filter((i) => numeric[i] !== 0).map((i) => analytic[i] / numeric[i]);
  const range = ratios.length > 1 ? `, analytic/numeric ranging from ${short(Math.min(...ratios))} to ${short(Math.max(...ratios))}` : '';
  return {
    code: 'mismatch',
    input: name,
    message:
      `the analytic gradient of '${name}' differs from the numeric one on ${failing.length} of ${analytic.length} elements ` +
      `(worst ${formatIndex(worst, shape)}: analytic ${short(analytic[worst])}, numeric ${short(numeric[worst])}${range}). ` +
      `Not a constant factor, a sign or a transpose: check the backward's formula and its constants.` +
      squareMatrixHint(name, shape),
  };
}

/**
 * A square matrix input hides the classic operand-order bug of a matmul backward: for Y = X @ W the
 * weight gradient is Xᵀ @ dY, and dY @ Xᵀ has the same shape only when the dimensions are equal.
 */
function squareMatrixHint(name: string, shape: number[]): string {
  if (shape.length !== 2 || shape[0] !== shape[1]) return '';
  return (
    ` '${name}' is square ${formatShape(shape)}: if it is a matmul operand, check the order of the operands in its gradient ` +
    `(for Y = X @ W, dW = Xᵀ @ dY, not dY @ Xᵀ; the shapes agree only because the dimensions are equal).`
  );
}

/** NaN or ±Infinity in a forward output or a gradient: where it first appears. */
export function nonFinite(values: Float64Array, what: string, shape: number[] | undefined, input?: string): Diagnosis | undefined {
  const first = values.findIndex((v) => !Number.isFinite(v));
  if (first < 0) return undefined;
  const count = values.reduce((n, v) => n + (Number.isFinite(v) ? 0 : 1), 0);
  const where = shape ? formatIndex(first, shape) : `[${first}]`;
  return {
    code: 'non-finite',
    input,
    message:
      `${what} is ${values[first]} at ${where}` +
      (count > 1 ? ` (${count} of ${values.length} elements are not finite)` : '') +
      `: look for a log or division at 0, a sqrt at 0 in the backward, or an exp that overflows.`,
  };
}




function transposeLastTwo(values: Float64Array, shape: number[]): Float64Array {
  const n = shape[shape.length - 1];
  const block = n * n;
  const out = new Float64Array(values.length);
  for (let start = 0; start < values.length; start += block) {
    for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) out[start + r * n + c] = values[start + c * n + r];
  }
  return out;
}


function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}


