// Words and numbers for diagnosis messages: short numbers, element positions, counts.
import { unravelIndex } from '../core/shape.ts';
import type { Convergence } from './report.ts';

export function short(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  return magnitude >= 1e-3 && magnitude < 1e4 ? String(Number(value.toPrecision(4))) : value.toExponential(1).replace('e+', 'e');
}

/** Element i of an input as x[2, 3]-style position. */
export function formatIndex(flat: number, shape: number[]): string {
  return `[${unravelIndex(flat, shape).join(', ')}]`;
}

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** "0.10% too large" for a ratio analytic/numeric near 1, "3.0× the numeric one" for one far from it. */
export function scaledBy(ratio: number): string {
  const percent = (ratio - 1) * 100;
  return Math.abs(percent) < 10 ? `${Math.abs(percent).toPrecision(2)}% too ${percent < 0 ? 'small' : 'large'}` : `${short(ratio)}× the numeric one`;
}

/** A gradient off by one constant factor: what to look for. */
export const ONE_FACTOR = 'one constant factor is wrong, e.g. a missing 2 in the derivative of x², a wrong 1/N in a mean, or a constant copied wrongly.';

export function roundUpDecade(value: number): number {
  return 10 ** Math.ceil(Math.log10(value));
}

/**
 * A ratio analytic/numeric with the digits that show how far it is from 1: 1.00100 for a 0.1%
 * error, 1.00000100 for a 1e-6 one (six significant digits would print 1.00000).
 */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return String(ratio);
  const offset = Math.abs(Math.abs(ratio) - 1);
  const digits = offset > 0 ? Math.max(6, Math.min(16, 2 + Math.ceil(-Math.log10(offset)))) : 6;
  return ratio.toPrecision(digits);
}

/** A step as people write one: 1e-5, 2.5e-3. */
export function formatStep(eps: number): string {
  return eps.toExponential().replace(/\.?0*e\+?/, 'e');
}

/** "falls as ε^2.0", for messages. */
export function describeOrder(convergence: Convergence): string {
  const order = (Math.abs(convergence.order) < 0.05 ? 0 : convergence.order).toFixed(1);
  const range = `ε from ${formatStep(convergence.fromEps)} to ${formatStep(convergence.toEps)}`;
  if (convergence.order < 0.5) return `the error stops falling with the step (order ${order} over ${range}; a correct gradient's falls as ε²): the gradient is wrong, not the step`;
  if (convergence.order > 1.5) return `the error falls as ε^${order} over ${range}, as a correct gradient's does (ε²)`;
  return `the error falls only as ε^${order} over ${range} (a correct gradient's falls as ε²)`;
}

