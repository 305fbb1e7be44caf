// A helper thread of the element-wise check. It loads the op file once; for each op the checking
// thread announces, it rebuilds the same φ (same op, same settings, hence the same drawn inputs and
// cotangent); for each task, it computes the chunks it can claim, at that point. It writes nothing but the shared gradients (its output is discarded), and a helper that
// cannot rebuild the very same φ just takes no chunk of that op.
import type { MessagePort } from 'node:worker_threads';
import { loadOps } from '../../load/load-ops.ts';
import type { CheckedInput } from '../prepare.ts';
import type { Op } from '../../spec/define.ts';
import { createPhi } from '../phi.ts';
import type { Phi } from '../phi.ts';
import { prepare } from '../prepare.ts';
import type { DifferencesTask, HelperMessage, HelperStart, OpMessage } from './protocol.ts';
import { allHandedOut, claimChunk, differenceChunk, FAILED, markChunk, viewSharedGradient } from './shared-gradient.ts';
import type { SharedGradient } from './shared-gradient.ts';

interface Rebuilt {
  id: number;
  inputs: CheckedInput[];
  phi: Phi;
}

/** The chunk this helper is computing: should the op end the thread (process.exit), it is marked failed, not left pending. */
let working: { shared: SharedGradient; chunk: number } | undefined;

export async function serveDifferences(port: MessagePort, { file }: HelperStart): Promise<void> {
  process.once('exit', () => {
    if (working) markChunk(working.shared, working.chunk, FAILED);
  });
  let ops: Op[];
  try {
    ops = await loadOps(file);
  } catch {
    return;
  }
  // Messages posted while the file loaded were queued, and arrive in order.
  let current: Rebuilt | undefined;
  port.on('message', (message: HelperMessage) => {
    if (message.type === 'op') current = rebuild(ops, message);
    else if (current?.id === message.op && !computeShare(message, current)) current = undefined;
  });
}

function rebuild(ops: Op[], message: OpMessage): Rebuilt | undefined {
  try {
    const op = pick(ops, message);
    if (!op) return undefined;
    const { inputs, output, cotangent, problem } = prepare(op, message.settings);
    const { expected } = message;
    const same =
      sameValues(output, expected.output) &&
      sameValues(cotangent, expected.cotangent) &&
      inputs.length === expected.inputs.length &&
      inputs.every((input, k) => sameValues(input.data, expected.inputs[k]));
    return same ? { id: message.id, inputs, phi: createPhi(problem, cotangent) } : undefined;
  } catch {
    return undefined;
  }
}

function pick(ops: Op[], { index, name }: OpMessage): Op | undefined {
  if (index !== undefined) return ops[index]?.name === name ? ops[index] : undefined;
  const named = ops.filter((op) => op.name === name);
  return named.length === 1 ? named[0] : undefined;
}

function sameValues(a: Float64Array, b: Float64Array): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

/**
 * This helper's share of one task: chunks until none is left. False when an evaluation threw: the
 * chunk is marked failed (the checking thread computes it, and meets the error itself) and this
 * helper takes no more of the op's work.
 */
function computeShare(task: DifferencesTask, { inputs, phi }: Rebuilt): boolean {
  const shared = viewSharedGradient(task.shared);
  // A task posted while this helper was still loading may be finished already.
  if (allHandedOut(shared)) return true;
  const x = inputs[task.input];
  for (let chunk = claimChunk(shared); chunk !== undefined; chunk = claimChunk(shared)) {
    working = { shared, chunk };
    try {
      differenceChunk(phi, x, task.eps, task.method, shared, chunk);
    } catch {
      markChunk(shared, chunk, FAILED);
      return false;
    } finally {
      working = undefined;
    }
  }
  return true;
}
