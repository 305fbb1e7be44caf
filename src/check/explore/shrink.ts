// A failing point shrunk to its smallest case: each named dimension as small as the failure allows
// (its values drawn again at each size tried), then each value of the moved inputs replaced by the
// simplest one (0, ±1, ±2, ±1/2, its rounding) that keeps it failing. Greedy, within a budget of
// checks; what is left still fails, and is small enough to paste into the op file.
import type { Op } from '../../spec/define.ts';
import { dimRanges, materializeInputs } from '../../spec/inputs.ts';
import type { MinimalCase } from '../../model/report.ts';
import type { At } from '../prepare.ts';
import { movable, regionPoint } from './points.ts';

/** Checks shrinking may spend, each a fast-mode check of the op at one candidate. */
const BUDGET = 200;

export function shrink(op: Op, failing: At & { drawn: string }, fails: (at: At) => boolean, seed: number): MinimalCase {
  let budget = BUDGET;
  const tries = (at: At) => budget-- > 0 && fails(at);
  let current: At = failing;
  // Sizes first: smaller inputs make every later try cheaper. Values at a new size are drawn the way the failing point's were.
  for (const [name, [min]] of Object.entries(dimRanges(op))) {
    for (let size = min; size < (current.dims?.[name] ?? min); size++) {
      const dims = { ...current.dims, [name]: size };
      const candidate = regionPointLike(op, seed, failing.drawn, dims);
      if (candidate && tries(candidate)) {
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

/** The point drawn like the failing one (the same region of the same seed) at other sizes. */
function regionPointLike(op: Op, seed: number, drawn: string, dims: Record<string, number>): At | undefined {
  for (let index = 1; index <= 4; index++) {
    const at = regionPoint(op, seed, index, dims);
    if (at?.drawn === drawn) return at;
  }
  return undefined;
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
