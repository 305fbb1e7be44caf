// One element-wise numeric gradient computed by several threads at once. Its elements are cut into
// chunks; a counter in shared memory hands the chunks out, so a thread that starts late (a helper
// still loading the op file) just takes fewer. Every thread computes a chunk's elements with
// elementDerivative, the arithmetic numericGradient uses, on its own copy of the same φ at the same
// x, and writes them into the shared values; each chunk's state says when it is done.
import { elementDerivative } from '../numeric/differences.ts';
import type { Method } from '../../model/report.ts';
import type { Held } from '../numeric/point.ts';

/** What another thread needs to see the same shared gradient: posted with each task. */
export interface SharedGradientLayout {
  buffer: SharedArrayBuffer;
  length: number;
  chunkSize: number;
}

export interface SharedGradient extends SharedGradientLayout {
  chunks: number;
  /** [0]: the next chunk to hand out. */
  counter: Int32Array;
  /** Per chunk: PENDING (not handed out, or being computed), DONE or FAILED. */
  states: Int32Array;
  values: Float64Array;
  truncation: Float64Array;
}

export const PENDING = 0;
export const DONE = 1;
/** A helper's evaluation threw: the calling thread computes the chunk itself, and meets the error as a single thread would. */
export const FAILED = 2;

export function createSharedGradient(length: number, chunkSize: number): SharedGradient {
  const chunks = Math.ceil(length / chunkSize);
  const header = 8 * Math.ceil((4 * (1 + chunks)) / 8);
  return viewSharedGradient({ buffer: new SharedArrayBuffer(header + 16 * length), length, chunkSize });
}

export function viewSharedGradient({ buffer, length, chunkSize }: SharedGradientLayout): SharedGradient {
  const chunks = Math.ceil(length / chunkSize);
  const header = 8 * Math.ceil((4 * (1 + chunks)) / 8);
  return {
    buffer,
    length,
    chunkSize,
    chunks,
    counter: new Int32Array(buffer, 0, 1),
    states: new Int32Array(buffer, 4, chunks),
    values: new Float64Array(buffer, header, length),
    truncation: new Float64Array(buffer, header + 8 * length, length),
  };
}

/** Whether every chunk has been handed out. */
export function allHandedOut(shared: SharedGradient): boolean {
  return Atomics.load(shared.counter, 0) >= shared.chunks;
}

/** The next chunk nobody has taken, or undefined when none is left. */
export function claimChunk(shared: SharedGradient): number | undefined {
  const chunk = Atomics.add(shared.counter, 0, 1);
  return chunk < shared.chunks ? chunk : undefined;
}

/** Computes one chunk's derivatives of phi along x, then marks it done. */
export function differenceChunk(phi: () => number, x: Held, eps: number, method: Method, shared: SharedGradient, chunk: number): void {
  const end = Math.min(shared.length, (chunk + 1) * shared.chunkSize);
  for (let i = chunk * shared.chunkSize; i < end; i++) {
    const estimate = elementDerivative(phi, x, i, eps, method);
    shared.values[i] = estimate.value;
    shared.truncation[i] = estimate.truncation;
  }
  markChunk(shared, chunk, DONE);
}

export function markChunk(shared: SharedGradient, chunk: number, state: typeof DONE | typeof FAILED): void {
  Atomics.store(shared.states, chunk, state);
  Atomics.notify(shared.states, chunk);
}

export function elementsIn(shared: SharedGradient, chunk: number): number {
  return Math.min(shared.length, (chunk + 1) * shared.chunkSize) - chunk * shared.chunkSize;
}
