// A failing point shrunk to its smallest case: each named dimension as small as the failure allows
// (its values drawn again at each size tried), then each value of the moved inputs replaced by the
// simplest one (0, ±1, ±2, ±1/2, its rounding) that keeps it failing. Greedy, within a budget of
// checks; what is left still fails, and is small enough to paste into the op file.
import type { Op } from '../../spec/define.ts';
import { dimRanges, materializeInputs } from '../../spec/inputs.ts';
import type { MinimalCase } from '../../model/report.ts';
import type { At } from '../prepare.ts';
import { drawnPoint, movable, REGIONS, regionPoint } from './points.ts';

/** Checks shrinking may spend, each a fast-mode check of the op at one candidate. */
const BUDGET = 200;

export function shrink(op: Op, failing: At & { drawn: string }, fails: (at: At) => boolean, seed: number): MinimalCase {
  let budget = BUDGET;
  const tries = (at: At) => budget-- > 0 && fails(at);
  let current: At = failing;
  // Sizes first: smaller inputs make every later try cheaper. Values at a new size are drawn anew, the failing point's way first.
  for (const [name, [min]] of Object.entries(dimRanges(op))) {
    for (let size = min; size < (current.dims?.[name] ?? min); size++) {
      const dims = { ...current.dims, [name]: size };
      const candidate = drawsAt(op, seed, failing.drawn, dims).find(tries);
      if (candidate) {
        current = candidate;
        break;
      }
    }
  }
  for (const name of Object.keys(current.values ?? {})) {
    for (let i = 0; i < current.values![name].length && budget > 0; i++) {
      const values = current.values![name];
      for (const simple of simpler(values[i])) {
        const candidate = { ...current, values: { ...current.values, [name]: values.map((v, j) => (j === i ? simple : v)) } };
        if (tries(candidate)) {
          current = candidate;
          break;
        }
      }
    }
  }
  return minimalCase(op, seed, current);
}

/** The values to try in place of v, simplest first (those not simpler than v left out). */
function simpler(v: number): number[] {
  const candidates = [0, 1, -1, 2, -2, 0.5, -0.5, Math.round(v), Math.round(v * 10) / 10];
  const cost = (x: number) => (x === 0 ? 0 : Math.abs(x) === 1 ? 1 : Number.isInteger(x) ? 2 + Math.abs(x) : 10 + String(x).length);
  return [...new Set(candidates)].filter((x) => x !== v && cost(x) < cost(v));
}

/**
 * Values to try at other sizes, most like the failing point's first: its own region's draw, then
 * the op file's draw, then the other regions. One draw alone can hide the failure at a smaller size
 * (large magnitudes saturate a tanh whose gradient then vanishes).
 */
function drawsAt(op: Op, seed: number, drawn: string, dims: Record<string, number>): At[] {
  const regions = REGIONS.map((_, k) => regionPoint(op, seed, k + 1, dims));
  const draws = [...regions.filter((at) => at?.drawn === drawn), drawnPoint(op, seed, dims), ...regions.filter((at) => at?.drawn !== drawn)];
  return draws.filter((at) => at !== undefined);
}

/** The case as input specs: each moved input's shape (at its sizes) and values. */
function minimalCase(op: Op, seed: number, at: At): MinimalCase {
  const dims = at.dims ?? {};
  const inputs = materializeInputs(op, seed, dims).filter(movable);
  return {
    dims,
    inputs: Object.fromEntries(inputs.map((input) => [input.name, { shape: input.shape, values: Array.from(at.values?.[input.name] ?? input.data) }])),
  };
}
