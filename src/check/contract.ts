// The backward's whole contract, beyond the numbers at one point under one cotangent: what the op
// may not do to data it does not own, and that its forward answers to its inputs. A finite
// difference trusts both: a forward that writes into its input moves the point being checked, a
// backward that writes into the gradient it is handed corrupts another consumer's, and a forward
// that memoises its result makes every difference zero. Each broken trust is found here and named
// in a diagnosis of its own; the op fails.
import type { Trespass } from '../core/autograd.ts';
import { stackLocations } from '../spec/stack.ts';
import { formatIndex, short } from '../model/words.ts';
import type { Diagnosis } from '../model/report.ts';
import { DRAW, drawSweepDirection } from './draws.ts';
import { evaluateMoved } from './numeric/point.ts';
import { phiNoise } from './numeric/error.ts';
import type { CheckedInput, Prepared } from './prepare.ts';
import { ownFrame } from './diagnose/primitives.ts';

/** How far (relative to each element's scale) every input is moved to see that the forward answers. */
const PROBE_MOVE = 1e-2;
/** The least change of v · f, by the gradient, that a forward not moving at all must have missed to be called stale. */
const UNRESPONSIVE_FLOOR = 1e-8;

export interface Contract {
  /** What broke the contract before any gradient was compared. */
  diagnoses: Diagnosis[];
  /** Whether f changed at all when every input moved: false for a forward that is stale (or constant there). */
  responds: boolean;
  /** The problem to go on with: every evaluation starting from the inputs as drawn, when the forward writes into them. */
  problem: Prepared['problem'];
  /** Whether the forward wrote into its inputs (then a write seen after a backward is the forward's too). */
  writes: boolean;
  /** Forward evaluations made. */
  evaluations: number;
}

/**
 * The forward's side of the contract: after its first evaluation, at the point (`prepare`'s), did it
 * write into its inputs? At a moved point, evaluated twice, with the inputs' own arrays and with
 * fresh copies of them: does it answer to its inputs' values, or to the objects it was handed?
 */
export function checkForward({ problem, inputs, settings, output: atPointValues, returned: atPoint }: Prepared, opName: string): Contract {
  const diagnoses: Diagnosis[] = [];
  const written = writtenInputs(inputs, 'forward');
  diagnoses.push(...written);
  const guarded = written.length > 0 ? fromDrawnPoint(problem, inputs) : problem;
  if (written.length > 0) restore(inputs);
  // Fresh random draws at every evaluation (--no-replay-random) make every forward answer differently: nothing to compare.
  if (!settings.replayRandom) return { diagnoses, responds: true, problem: guarded, writes: written.length > 0, evaluations: 0 };
  let evaluations = 0;
  const evaluate = (fresh = false) => {
    evaluations++;
    return fresh ? guarded.evaluateFresh!() : guarded.evaluate();
  };
  const variable = inputs.filter((input) => !input.constant);
  const directions = variable.map((input) => drawSweepDirection(settings.seed, `${DRAW.sweepDirection(opName, input.name)}/contract`, input.data.length));
  const move = { inputs: variable, directions, step: PROBE_MOVE };
  const moved = evaluateMoved(move, () => evaluate());
  const movedValues = Float64Array.from(moved);
  const fresh = guarded.evaluateFresh ? evaluateMoved(move, () => evaluate(true)) : undefined;
  if (moved === atPoint) diagnoses.push(staleForward('returned the very array (or Tensor) it returned at the drawn point'));
  // Other values from fresh arrays: a cache keyed on the objects, unless the forward answers differently every time anyway.
  else if (fresh && !sameValues(movedValues, fresh) && sameValues(movedValues, evaluateMoved(move, () => evaluate()))) {
    diagnoses.push(staleForward('gives other values for the same inputs held in fresh arrays: its result depends on which arrays it is handed, not only on their values'));
  }
  return { diagnoses, responds: !sameValues(movedValues, atPointValues), problem: guarded, writes: written.length > 0, evaluations };
}

/**
 * At a point beyond the drawn one: the contract is taken as kept. Points are only looked at for an
 * op that passed at the drawn point, where it was checked (a write, a stale forward, a backward
 * that ignores its gradient each fail the op there), and checking it again at every point would
 * cost more than the point's own comparison.
 */
export function keptAtDrawnPoint({ problem }: Prepared): Contract {
  return { diagnoses: [], responds: true, problem, writes: false, evaluations: 0 };
}

function staleForward(why: string): Diagnosis {
  return {
    code: 'stale-forward',
    message:
      `with every input moved (by up to ${short(PROBE_MOVE)} of its scale), the forward ${why}: it memoises or caches its result, ` +
      `so every finite difference sees the same stale output. Compute the output from the inputs on every call (or key a cache on their values).`,
  };
}

/**
 * A forward that does not move at all when every input does, while its backward says it should:
 * stale (memoised), or constant where its gradient is not zero. Either way no difference can see
 * the gradient, and none is compared.
 */
export function unresponsive(gradients: Float64Array[], inputs: CheckedInput[], outputMagnitude: number): Diagnosis | undefined {
  // The most the move could change v · f, by the gradient: where that is small beside f itself or
  // within its rounding (a saturated output, a gradient of 1e-20), f not moving says nothing. f's
  // rounding is not always visible in f: a sum whose terms cancel (tanh(100x) saturated at ±1,
  // summed to 0) rounds at its terms' size, and its gradients are that rounding (1e-13). So the
  // change must also clear an absolute floor; a stale forward with gradients below it still fails,
  // its numeric gradient being 0, only not under this name.
  let change = 0;
  inputs.forEach((input, j) => {
    if (!input.constant) gradients[j].forEach((g, i) => (change += Math.abs(g) * PROBE_MOVE * input.scales[i]));
  });
  if (!(change > Math.max(1000 * phiNoise(outputMagnitude), 1e-6 * outputMagnitude, UNRESPONSIVE_FLOOR))) return undefined;
  const k = gradients.findIndex((g, j) => !inputs[j].constant && g.some((v) => v !== 0));
  if (k < 0) return undefined;
  const i = gradients[k].findIndex((v) => v !== 0);
  return {
    code: 'stale-forward',
    input: inputs[k].name,
    message:
      `the forward returns exactly the same output when every input moves (by up to ${short(PROBE_MOVE)} of its scale), while the backward gives ` +
      `'${inputs[k].name}' a gradient of ${short(gradients[k][i])} at ${formatIndex(i, inputs[k].shape)}: the forward does not answer to its inputs ` +
      `(it memoises or caches its result, or ignores them), so no finite difference can check the gradient.`,
  };
}

/** Inputs whose values the op changed, each as a `mutates-input` diagnosis naming the element. */
export function writtenInputs(inputs: CheckedInput[], by: 'forward' | 'backward'): Diagnosis[] {
  return inputs.flatMap((input) => {
    const i = input.data.findIndex((v, j) => !Object.is(v, input.origin[j]));
    if (i < 0) return [];
    return [{
      code: 'mutates-input',
      input: input.name,
      message:
        `the ${by} writes into its input '${input.name}' (${formatIndex(i, input.shape)}: ${short(input.origin[i])} → ${short(input.data[i])}): ` +
        `an op that changes its inputs moves the point being checked, and in a network changes what other ops read. ` +
        `Work on a copy (x.data.slice(), or the tensor ops, which never write in place). The check went on from the values as drawn.`,
    }];
  });
}

/**
 * The problem with each backward followed by a look at the inputs: a write into them is recorded
 * (the first per input, as a `mutates-input` diagnosis) and undone, so that the next pass runs at
 * the point as drawn. For the few backwards of the analytic stage.
 */
export function watchingInputs(problem: Prepared['problem'], inputs: CheckedInput[]): { problem: Prepared['problem']; written: () => Diagnosis[] } {
  const found = new Map<string, Diagnosis>();
  const look = () => {
    for (const d of writtenInputs(inputs, 'backward')) if (!found.has(d.input!)) found.set(d.input!, d);
    restore(inputs);
  };
  return { problem: followedBy(problem, look, { evaluations: false }), written: () => [...found.values()] };
}

/** Every input back at its origin. */
export function restore(inputs: readonly CheckedInput[]): void {
  for (const input of inputs) input.data.set(input.origin);
}

/** The problem with every evaluation and backward followed by the inputs put back as drawn: an op that writes into them cannot move the check. */
function fromDrawnPoint(problem: Prepared['problem'], inputs: CheckedInput[]): Prepared['problem'] {
  // The move a stage makes is written again by evaluateMoved before every evaluation: restoring
  // after each one puts back only what the op itself wrote.
  return followedBy(problem, () => restore(inputs), { evaluations: true });
}

/** The problem with `after` run after every backward, and after every evaluation too where asked. */
function followedBy(problem: Prepared['problem'], after: () => void, { evaluations }: { evaluations: boolean }): Prepared['problem'] {
  const then = <T>(result: T): T => {
    after();
    return result;
  };
  return {
    ...problem,
    ...(evaluations ? { evaluate: () => then(Float64Array.from(problem.evaluate())) } : {}),
    vjp: (cotangent, present) => then(problem.vjp(cotangent, present)),
    ...(problem.watchedVjp ? { watchedVjp: (cotangent: Float64Array) => then(problem.watchedVjp!(cotangent)) } : {}),
  };
}

/** What a backward wrote into data it does not own, as diagnoses: one per kind of write and op. */
export function trespassDiagnoses(trespasses: Trespass[]): Diagnosis[] {
  const seen = new Set<string>();
  return trespasses.flatMap((t) => {
    const key = `${t.op} ${t.into} ${t.input ?? ''}`;
    if (seen.has(key)) return [];
    seen.add(key);
    const who = t.op === 'vjp' ? 'the vjp' : `customOp '${t.op}'${where(t.stack)}`;
    const change = `(element [${t.index}]: ${short(t.before)} → ${short(t.after)})`;
    switch (t.into) {
      case 'gradient':
        return [{
          code: 'mutates-gradient',
          message:
            `${who} writes into the gradient it is handed ${change}: the caller owns it (a tape hands the same gradient tensor to every ` +
            `consumer of an output, so another one's gradient changes with it). Compute into a new tensor (grad.mul(…)) instead of writing grad.data.`,
        }];
      case 'output':
        return [{
          code: 'mutates-output',
          message: `the backward of ${who} writes into its saved output ${change}, which other ops read in their own backward: their gradients change with it. Compute into a new tensor.`,
        }];
      case 'input':
        return [{
          code: 'mutates-input',
          message: `the backward of ${who} writes into its input '${t.input}' ${change}: the caller owns it. Compute into a new tensor.`,
        }];
      case 'returned':
        return [{
          code: 'mutates-gradient',
          message: `${who} changed a gradient it had already returned for '${t.input}' ${change} (a buffer it reuses): what the tape summed from it changes too. Return a new tensor each time.`,
        }];
    }
  });
}

/** " (at ops.ts:12)", the customOp's call site in the user's code, relative to the project. */
function where(stack: string | undefined): string {
  const frame = ownFrame(stackLocations(stack));
  return frame ? ` (at ${frame.shown}:${frame.line})` : '';
}

function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

