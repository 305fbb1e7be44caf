// The check's seeded random draws, one function per purpose, each seeded by the run's seed and a
// label naming the op (and input) it is for: the same seed gives the same cotangents and directions
// in `run`, `sweep` and `--order 2`, and adding an op or an input changes no other draw.
import { createRandom, deriveSeed } from '../spec/random.ts';
import { concat } from './numeric/vectors.ts';

/**
 * The cotangent v of φ(x) = v · f(x) for an output of `length` elements: standard normal, except
 * that a scalar output keeps v = 1 so that the printed gradients are the op's own (the forward-mode check
 * asks for a random one even then).
 */
export function drawCotangent(seed: number, label: string, length: number, { randomForScalar = false } = {}): Float64Array {
  if (length === 1 && !randomForScalar) return Float64Array.of(1);
  const random = createRandom(deriveSeed(seed, label));
  return Float64Array.from({ length }, () => random.normal());
}

/**
 * The check's cotangent: with several outputs, each its own draw (a scalar output's random too, so
 * that gradients the backward hands to the wrong output do not cancel), laid end to end as f lays
 * them out.
 */
export function drawOutputCotangent(seed: number, op: string, length: number, outputs?: readonly { name: string; size: number }[]): Float64Array {
  if (!outputs) return drawCotangent(seed, DRAW.cotangent(op), length);
  return concat(outputs.map(({ name, size }) => drawCotangent(seed, `${DRAW.cotangent(op)}/${name}`, size, { randomForScalar: true })));
}

/** A direction for the ε sweep: standard normal, scaled so that its largest element is ±1. */
export function drawSweepDirection(seed: number, label: string, length: number): Float64Array {
  const random = createRandom(deriveSeed(seed, label));
  const direction = Float64Array.from({ length }, () => random.normal());
  let largest = 0;
  for (let i = 0; i < length; i++) largest = Math.max(largest, Math.abs(direction[i]));
  for (let i = 0; i < length; i++) direction[i] /= largest || 1;
  return direction;
}

/** Uniform in [−1, 1] per element: any spread works for a random projection, and it needs no log or sin per element. */
export function drawJointDirection(seed: number, label: string, length: number): Float64Array {
  const random = createRandom(deriveSeed(seed, label));
  const direction = new Float64Array(length);
  for (let i = 0; i < length; i++) direction[i] = 2 * random.uniform() - 1;
  return direction;
}

/** The labels the draws are seeded by: one place, so `run`, `sweep` and order 2 agree. */
export const DRAW = {
  cotangent: (op: string) => `${op}/cotangent`,
  secondOrderCotangent: (op: string) => `${op}/order-2`,
  sweepDirection: (op: string, input: string) => `${op}/${input}/direction`,
  largeSweepDirection: (op: string, input: string) => `${op}/${input}/sweep-direction`,
  fastDirection: (op: string, pair: number) => `${op}/fast/${pair}/direction`,
  localizeDirection: (op: string, input: string, direction: number) => `${op}/${input}/localize/${direction}`,
};
