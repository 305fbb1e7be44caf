// Richardson's tableau over values taken at halving steps: each column cancels the next even power
// of the step, and each entry carries an error estimate (its distance to the entries it was built
// from) and its share of f's rounding noise. Used for one element's derivative (Ridders' method,
// differences.ts) and for the discrepancy ladders of float32 and forward mode (ladder.ts).
//
// Extrapolation assumes c(h) = f' + a·h² + b·h⁴ + …, which holds only below some step. Above it a
// steep function's differences can be anything, even a plateau of equal values (tanh saturated on
// both sides of a large step) that would look converged. So the tableau starts after the last step
// at which the change between consecutive values grew (beyond their rounding noise): below it, the
// changes shrink as they do in the asymptotic regime. A value that is not finite (a probe outside
// the domain) likewise starts the tableau below it.

export interface TableauEntry {
  value: number;
  /** Its error estimate: the distance to the neighbouring extrapolations it was built from. */
  error: number;
  /** Its share of f's rounding noise, carried through the extrapolation's weights. */
  noise: number;
  /** The smallest step the estimate used. */
  h: number;
}

/**
 * The first level of the asymptotic regime of values taken at halving steps, where they move as
 * a + b·h² + …: each change between consecutive values about a quarter of the one before. It starts
 * after the last step (with changes above the rounding noise) at which the change grew, or shrank
 * by less than 2.5× (a step that straddles a kink makes the values move linearly in h, halving the
 * change per step), and after any value that is not finite.
 */
export function asymptoticStart(values: number[], steps: number[], noiseAt: (h: number) => number): number {
  let start = 0;
  for (let j = 1; j < values.length; j++) {
    if (!Number.isFinite(values[j])) {
      start = j + 1;
      continue;
    }
    if (j < start + 2) continue;
    const change = Math.abs(values[j] - values[j - 1]);
    const before = Math.abs(values[j - 1] - values[j - 2]);
    if (change > 4 * noiseAt(steps[j]) && before < 2.5 * change) start = j - 1;
  }
  return start;
}

/**
 * Richardson's tableau over values taken at halving steps (each column cancels the next even
 * power of the step), from level `from` on: its entry with the smallest error bound.
 */
export function bestOfTableau(differences: number[], steps: number[], from: number, noiseAt: (h: number) => number): (TableauEntry & { level: number }) | undefined {
  const factor = 4; // (shrink 2)²
  let column: { value: number; noise: number }[] = [];
  let best: (TableauEntry & { level: number }) | undefined;
  for (let level = from; level < steps.length; level++) {
    const h = steps[level];
    if (!Number.isFinite(differences[level])) {
      column = [];
      continue;
    }
    const next = [{ value: differences[level], noise: noiseAt(h) }];
    let weight = factor;
    for (let j = 1; j <= column.length; j++) {
      const value = (next[j - 1].value * weight - column[j - 1].value) / (weight - 1);
      next[j] = { value, noise: (weight * next[j - 1].noise + column[j - 1].noise) / (weight - 1) };
      weight *= factor;
      const error = Math.max(Math.abs(value - next[j - 1].value), Math.abs(value - column[j - 1].value));
      if (!best || error + next[j].noise <= best.error + best.noise) best = { value, error, noise: next[j].noise, h, level };
    }
    column = next;
  }
  return best;
}
