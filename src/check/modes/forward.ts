// Forward mode: an engine's jvp (or a customOp's) gives the output's tangent J·v. It is checked
// against finite differences along v, output element by output element, and, where a vjp exists
// too, against it: uᵀ(J v) must equal (Jᵀu)ᵀ v, as JAX's check_grads(modes=['fwd', 'rev']) and
// PyTorch's check_forward_ad check. One tangent per input at a time, so a failure names the input.
// The numeric side is Ridders' extrapolation of (f(x + hv) − f(x − hv)) / 2h over halving h, per
// output element, with each estimate's own error bound: as in the reverse check's refinement, only
// a difference beyond the tolerance and that bound fails.
import { Tensor, noGrad } from '../../core/index.ts';
import type { MaterializedInput } from '../../spec/inputs.ts';
import { short } from '../../model/words.ts';
import { DRAW, drawCotangent, drawSweepDirection } from '../draws.ts';
import { asymptoticStart, bestOfTableau } from '../numeric/differences.ts';
import { guard } from '../problem.ts';
import type { CustomCall, Problem } from '../problem.ts';
import { scaleOf } from '../numeric/scales.ts';
import type { Diagnosis, InputReport } from '../../model/report.ts';
import { dot } from '../numeric/vectors.ts';

/** What forward mode needs of a function: its inputs (perturbed in place), f, J·v, and Jᵀu if it has one. */
export interface JvpProblem {
  /** Who the rule belongs to, for the rows and messages: '' for the op itself. */
  owner: string;
  inputs: MaterializedInput[];
  evaluate(): Float64Array;
  jvp(tangents: (Float64Array | null)[]): Float64Array;
  vjp?(cotangent: Float64Array): (Float64Array | null)[];
}

export interface ForwardOutcome {
  rows: InputReport[];
  diagnoses: Diagnosis[];
  evaluations: number;
}

const LEVELS = 20;
const FIRST_STEP = 0.1;
const MARGIN = 4;

/** The op's own jvp (an engine's), when it has one. */
export function engineJvp(problem: Problem): JvpProblem | undefined {
  if (!problem.jvp) return undefined;
  return { owner: '', inputs: problem.inputs, evaluate: () => problem.evaluate(), jvp: (t) => problem.jvp!(t), vjp: (u) => problem.vjp(u) };
}

/** Each customOp call on the tape that has a jvp, as a function of its own inputs at the values it saw. */
export function customJvps(calls: CustomCall[]): JvpProblem[] {
  const seen = new Set<string>();
  return calls.flatMap((call) => {
    if (!call.jvp || seen.has(call.name)) return [];
    seen.add(call.name);
    const rule = call.jvp;
    const inputs: MaterializedInput[] = call.inputs.map((input, i) => ({ name: call.inputNames[i], shape: input.shape, data: Float64Array.from(input.data), constant: !input.grad }));
    const leaves = (grad: boolean) => inputs.map((input) => new Tensor(input.data, input.shape, grad && !input.constant));
    const output = (): Tensor => guard('forward', () => noGrad(() => call.call(...leaves(false))));
    return [{
      owner: `customOp '${call.name}'`,
      inputs,
      evaluate: () => Float64Array.from(output().data),
      jvp: (tangents) => {
        const given = inputs.map((input, k) => (tangents[k] ? new Tensor(Float64Array.from(tangents[k]!), input.shape) : null));
        const result = guard('jvp', () => noGrad(() => rule(given, { inputs: leaves(false), output: output() })));
        return Float64Array.from(result.data);
      },
      vjp: (cotangent) => {
        const tensors = leaves(true);
        const out = guard('forward', () => call.call(...tensors));
        guard('backward', () => out.backward(new Tensor(Float64Array.from(cotangent), [...out.shape])));
        return tensors.map((t, k) => (t.grad && !inputs[k].constant ? Float64Array.from(t.grad.data) : null));
      },
    }];
  });
}

export function checkJvp(jp: JvpProblem, opName: string, seed: number, tolerance: number): ForwardOutcome {
  const rows: InputReport[] = [];
  const diagnoses: Diagnosis[] = [];
  let evaluations = 0;
  const output = jp.evaluate();
  const outputScale = Math.max(...Array.from(output, Math.abs), 1e-300);
  jp.inputs.forEach((input, k) => {
    if (input.constant) return;
    const label = `${jp.owner ? `${jp.owner} ` : ''}${input.name}`;
    const direction = drawSweepDirection(seed, `${DRAW.sweepDirection(opName, label)}/jvp`, input.data.length);
    const tangent = direction.map((v, i) => v * scaleOf(input.data, i));
    const tangents = jp.inputs.map((_, j) => (j === k ? tangent : null));
    const analytic = jp.jvp(tangents);
    const numeric = differenceAlong(jp, input.data, tangent, 16 * Number.EPSILON * outputScale);
    evaluations += 2 * LEVELS;
    const row = compareTangents(input, label, analytic, numeric, tolerance);
    const disagreement = jp.vjp ? consistency(jp, k, label, analytic, tangent, seed, opName, tolerance) : undefined;
    // Rules that disagree fail the row: one of them is wrong, and maxRelErr must say so.
    rows.push(disagreement ? { ...row.report, passed: false, relErr: Math.max(row.report.relErr, disagreement.error) } : row.report);
    if (row.diagnosis) diagnoses.push(row.diagnosis);
    if (disagreement) diagnoses.push(disagreement.diagnosis);
  });
  return { rows, diagnoses, evaluations };
}

/** Per output element, Ridders' estimate of the derivative along the tangent, with its error bound. */
function differenceAlong(jp: JvpProblem, x: Float64Array, tangent: Float64Array, noise: number) {
  const original = Float64Array.from(x);
  const steps = Array.from({ length: LEVELS }, (_, l) => FIRST_STEP / 2 ** l);
  const columns = steps.map((h) => {
    for (let i = 0; i < x.length; i++) x[i] = original[i] + h * tangent[i];
    const up = Float64Array.from(jp.evaluate());
    for (let i = 0; i < x.length; i++) x[i] = original[i] - h * tangent[i];
    const down = jp.evaluate();
    x.set(original);
    return up.map((v, j) => (v - down[j]) / (2 * h));
  });
  const noiseAt = (h: number) => noise / h;
  return Array.from(columns[0], (_, j) => {
    const values = columns.map((column) => column[j]);
    const best = bestOfTableau(values, steps, asymptoticStart(values, steps, noiseAt), noiseAt);
    return best ? { value: best.value, bound: MARGIN * (best.error + best.noise) } : { value: NaN, bound: Infinity };
  });
}

function compareTangents(input: MaterializedInput, label: string, analytic: Float64Array, numeric: { value: number; bound: number }[], tolerance: number) {
  const floor = 0.01 * Math.max(...Array.from(analytic, Math.abs), ...numeric.map((n) => (Number.isFinite(n.value) ? Math.abs(n.value) : 0)), Number.MIN_VALUE);
  let relErr = 0;
  let worst = 0;
  let confirmed = 0;
  let unresolved = 0;
  if (analytic.length !== numeric.length) {
    const message = `the jvp of '${label}' returned ${analytic.length} values for an output of ${numeric.length}`;
    return { report: jvpRow(input, label, false, Infinity, 0, NaN, NaN), diagnosis: { code: 'wrong-shape', input: input.name, message } as Diagnosis };
  }
  numeric.forEach((n, j) => {
    const scale = Math.max(Math.abs(analytic[j]), Math.abs(n.value), floor);
    const difference = Math.abs(analytic[j] - n.value);
    const error = Number.isFinite(difference) ? difference / scale : Infinity;
    if (error > relErr) [relErr, worst] = [error, j];
    if (error <= tolerance) return;
    if (Number.isFinite(n.value) && difference > n.bound) confirmed++;
    else unresolved++;
  });
  const passed = confirmed === 0;
  const report = { ...jvpRow(input, label, passed, relErr, worst, analytic[worst], numeric[worst]?.value ?? NaN), ...(passed && unresolved > 0 ? { verdict: 'inconclusive' as const } : {}) };
  if (passed) return { report };
  const diagnosis: Diagnosis = {
    code: 'jvp',
    input: input.name,
    message:
      `the forward-mode rule (jvp) of ${label.includes(' ') ? label : `'${label}'`} differs from finite differences along a random tangent on ${confirmed} of ${numeric.length} output elements ` +
      `(worst [${worst}]: jvp ${short(analytic[worst])}, numeric ${short(numeric[worst].value)}, relative error ${short(relErr)}).`,
  };
  return { report, diagnosis };
}

function jvpRow(input: MaterializedInput, label: string, passed: boolean, relErr: number, worst: number, analytic: number, numeric: number): InputReport {
  return { name: label, shape: input.shape, ad: 'forward', passed, relErr, bestEps: NaN, worst: { index: [worst], analytic, numeric }, sweep: [] };
}

/** uᵀ(J v) against (Jᵀu)ᵀ v for a seeded cotangent u: the forward and reverse rules must agree. */
function consistency(jp: JvpProblem, k: number, label: string, jv: Float64Array, tangent: Float64Array, seed: number, opName: string, tolerance: number) {
  const u = drawCotangent(seed, `${DRAW.cotangent(opName)}/jvp/${label}`, jv.length, { randomForScalar: true });
  const gradient = jp.vjp!(u)[k];
  if (!gradient) return undefined;
  const forward = dot(u, jv);
  const reverse = dot(gradient, tangent);
  let a = 0;
  let b = 0;
  for (let i = 0; i < jv.length; i++) a += (u[i] * jv[i]) ** 2;
  for (let i = 0; i < tangent.length; i++) b += (gradient[i] * tangent[i]) ** 2;
  const error = Math.abs(forward - reverse) / Math.max(Math.sqrt(a), Math.sqrt(b), Number.MIN_VALUE);
  if (!(error > tolerance)) return undefined;
  const diagnosis: Diagnosis = {
    code: 'inconsistent',
    input: jp.inputs[k].name,
    message: `the forward and reverse rules of ${label.includes(' ') ? label : `'${label}'`} disagree: uᵀ(J v) = ${short(forward)} from the jvp, (Jᵀu)ᵀ v = ${short(reverse)} from the vjp (relative error ${short(error)}).`,
  };
  return { error, diagnosis };
}
