// An op with several outputs (an LSTM cell's h and c), each checked on its own. The whole op is
// checked as one function of its outputs laid end to end, each output with its own cotangent; that
// says whether the backward is right, not through which output it is wrong. So each output's
// gradient is taken again with only that output receiving one, the others none (a customOp's
// backward gets null for them, an engine zeros), as PyTorch's check_undefined_grad does:
//   - a backward that cannot run without every output's gradient, or whose answers with one
//     output at a time do not add up to its answer with all of them, fails as `absent-output`;
//   - each output's gradient is compared with finite differences of that output alone (fast
//     mode's uᵀJv along random directions, the element-wise check where that fails), which names
//     the output whose path is wrong.
import type { Diagnosis, OutputReport } from '../../model/report.ts';
import { short } from '../../model/words.ts';
import { FLOAT32_EPSILON } from '../../model/defaults.ts';
import { compareGradients, comparisonFloor, phiNoise } from '../numeric/error.ts';
import { largestMagnitude } from '../numeric/vectors.ts';
import { createPhi } from '../phi.ts';
import { outputLabel } from '../problem.ts';
import type { OutputPart } from '../problem.ts';
import type { Prepared } from '../prepare.ts';
import type { Analytic } from '../analytic.ts';
import { FAST_STAGES, fastCheck } from './fast.ts';
import { checkInput } from './element-wise.ts';
import { ELEMENT_WISE_FALLBACK_LIMIT } from './localize.ts';
import { usableSteps } from '../numeric/differences.ts';
import type { Outcome } from './outcome.ts';

export interface OutputsCheck {
  outputs: OutputReport[];
  diagnoses: Diagnosis[];
  evaluations: number;
}

/** Each output on its own; nothing for an op with one output. */
export function checkOutputs(opName: string, prepared: Prepared, analytic: Analytic): OutputsCheck | undefined {
  const parts = prepared.problem.outputs?.();
  if (!parts || parts.length < 2) return undefined;
  const { problem, cotangent, inputs, output, settings } = prepared;
  const alone = parts.map((_, k) => gradientsAlone(prepared, parts, k));
  const diagnoses: Diagnosis[] = alone.flatMap((result, k) => ('error' in result ? [unrunnable(parts[k], result.error)] : []));
  const sums = addedUp(alone, inputs.length);
  const mismatch = sums && inputs.findIndex((input, j) => !input.constant && !sameGradient(sums[j], analytic.gradients[j], settings.precision));
  if (sums && mismatch !== undefined && mismatch >= 0) diagnoses.push(notAddingUp(inputs[mismatch].name, parts));
  let evaluations = 0;
  const variable = inputs.map((input, j) => ({ input, j })).filter(({ input }) => !input.constant);
  const elements = variable.reduce((n, { input }) => n + input.data.length, 0);
  const reports = parts.map((part, k): OutputReport => {
    const result = alone[k];
    const shape = [...part.shape];
    if ('error' in result) return { name: part.name, shape, passed: false, relErr: NaN };
    // This output's share of φ: its cotangent, the others' zeroed.
    const own = new Float64Array(cotangent.length);
    own.set(cotangent.subarray(part.offset, part.offset + part.size), part.offset);
    let magnitude = 0;
    for (let i = part.offset; i < part.offset + part.size; i++) magnitude += Math.abs(own[i] * output[i]);
    const phi = createPhi(problem, own);
    const fast = fastCheck({
      opName: `${opName}/${part.name}`,
      seed: settings.seed,
      inputs: variable.map(({ input }) => input),
      // A float32 engine rounds each output to 6e-8 of itself: its noise, not float64's.
      cotangent: { phi, gradients: variable.map(({ j }) => result.gradients[j]), noiseOfPhi: settings.precision === 'float32' ? 4 * FLOAT32_EPSILON * magnitude : phiNoise(magnitude) },
      // Not the whole sweep after them: where an output's gradient vanishes (its gates saturated),
      // every step's noise is infinite beside it, and the ranking would pick a large step that leaves
      // the saturation; a wrong path shows at these steps plainly.
      steps: settings.epsGiven || settings.precision === 'float32' ? [settings.epsList] : FAST_STAGES,
      method: settings.method,
      tolerance: settings.tolerance,
    });
    evaluations += fast.evaluations;
    if (fast.passed || elements > ELEMENT_WISE_FALLBACK_LIMIT) {
      return { name: part.name, shape, passed: fast.passed, relErr: fast.relErr };
    }
    // A few directions at a few steps can miss where this output's φ is best resolved (a saturated
    // tanh): as for the whole op, the element-wise check decides.
    const noiseOfPhi = phiNoise(magnitude);
    let relErr = 0;
    let passed = true;
    for (const { input, j } of variable) {
      const epsList = usableSteps(input, settings.epsList);
      if (epsList.length === 0) continue;
      const checked = checkInput({ ...settings, epsList, opName: `${opName}/${part.name}`, input, analytic: result.gradients[j], phi, noiseOfPhi, outputMagnitude: magnitude });
      evaluations += checked.evaluations;
      relErr = Math.max(relErr, checked.result.relErr);
      passed &&= checked.result.passed;
    }
    return { name: part.name, shape, passed, relErr };
  });
  return { outputs: reports, diagnoses, evaluations };
}

/**
 * The op's outcome with its outputs checked: the findings of the whole op said through the output
 * that fails where only some do, and an output that fails alone while the whole op passes (its
 * path wrong, another's making up for it) failing the op.
 */
export function withOutputs(outcome: Outcome, check: OutputsCheck | undefined): Outcome {
  if (!check) return outcome;
  const failing = check.outputs.filter((output) => !output.passed);
  const some = failing.length > 0 && failing.length < check.outputs.length;
  const through = (d: Diagnosis): Diagnosis =>
    some && failing.length === 1 && d.input !== undefined && d.code !== 'non-differentiable' && d.code !== 'step-skipped'
      ? { ...d, output: failing[0].name, message: `through ${outputLabel(failing[0].name)}: ${d.message}` }
      : d;
  const diagnoses = [...outcome.diagnoses.map(through), ...check.diagnoses];
  if (outcome.status === 'pass') {
    for (const output of failing) if (Number.isFinite(output.relErr)) diagnoses.push(wrongAlone(output));
  }
  const failed = outcome.status === 'fail' || check.diagnoses.length > 0 || failing.length > 0;
  return { ...outcome, status: failed ? 'fail' : 'pass', outputs: check.outputs, diagnoses, evaluations: outcome.evaluations + check.evaluations };
}

/** The backward with only output k receiving a gradient, or what it threw. */
function gradientsAlone({ problem, cotangent, inputs }: Prepared, parts: OutputPart[], k: number): { gradients: Float64Array[] } | { error: unknown } {
  try {
    const gradients = problem.vjp(cotangent, parts.map((_, j) => j === k));
    return { gradients: gradients.map((grad, j) => grad ?? new Float64Array(inputs[j].data.length)) };
  } catch (error) {
    return { error };
  }
}

/** Σₖ of the gradients with one output at a time, per input; undefined where one of them could not run. */
function addedUp(alone: ({ gradients: Float64Array[] } | { error: unknown })[], count: number): Float64Array[] | undefined {
  if (alone.some((result) => 'error' in result)) return undefined;
  const runs = alone as { gradients: Float64Array[] }[];
  return Array.from({ length: count }, (_, j) => {
    const sum = new Float64Array(runs[0].gradients[j].length);
    for (const { gradients } of runs) for (let i = 0; i < sum.length; i++) sum[i] += gradients[j][i];
    return sum;
  });
}

/** Equal to the summation's rounding: the parts of a sum added in another order differ by a few ulps of the largest term. */
function sameGradient(sum: Float64Array, whole: Float64Array, precision: Prepared['settings']['precision']): boolean {
  const floor = comparisonFloor(largestMagnitude(sum, whole));
  const rounding = precision === 'float32' ? 64 * FLOAT32_EPSILON : 1e-10;
  return compareGradients(whole, sum, floor, 0).relErr <= rounding;
}

function unrunnable(part: OutputPart, error: unknown): Diagnosis {
  const said = error instanceof Error ? error.message : String(error);
  return {
    code: 'absent-output',
    output: part.name,
    message:
      `with only ${outputLabel(part.name)} receiving a gradient (the others none, as when nothing uses them), the backward failed: ${said}. ` +
      `An output nothing uses gets no gradient: a customOp's backward is handed null for it, and must treat it as zero.`,
  };
}

function notAddingUp(input: string, parts: OutputPart[]): Diagnosis {
  return {
    code: 'absent-output',
    input,
    message:
      `the gradients of '${input}' with one output at a time (${parts.map((part) => outputLabel(part.name)).join(', ')}, the others receiving none) ` +
      `do not add up to its gradient with all of them: an output that receives no gradient still changes the gradient (a missing gradient taken as ones, ` +
      `or a value kept from another pass). Treat an output's missing gradient as zero.`,
  };
}

function wrongAlone(output: OutputReport): Diagnosis {
  return {
    code: 'mismatch',
    output: output.name,
    message:
      `through ${outputLabel(output.name)} alone (the others receiving no gradient) the gradient disagrees with finite differences of that output ` +
      `(relative error ${short(output.relErr)}), though the op's outputs together agree: the backward's path from this output is wrong, and another's makes up for it.`,
  };
}
