// Where to look beyond the drawn point. A check at one seeded point passes a backward wrong in a part
// of the input space the draw missed (a branch below −2, the negative half an op file's low/high
// kept out, large magnitudes, an odd size), so a few more points are drawn, each spread over every
// input's domain in its own way: wider than the draw, uniform over [−10, 10], magnitudes from 0.01
// to 100 of either sign, and the draw mirrored (or large magnitudes). `low`/`high` shape the drawn
// point only; `domain` bounds every point. Inputs given as `values` and constants stay as drawn.
import { createRandom, deriveSeed } from '../../spec/random.ts';
import type { InputSpec, Op } from '../../spec/define.ts';
import { dimRanges, materializeInputs } from '../../spec/inputs.ts';
import type { MaterializedInput } from '../../spec/inputs.ts';
import type { At } from '../prepare.ts';

type Random = ReturnType<typeof createRandom>;

/** One way of drawing a point, as the report names it, and a value on the whole real line. */
interface Region {
  name: string;
  draw(random: Random, input: MovedInput): number;
}

/** What a region needs to know of an input: its domain, and the range its own draw came from. */
interface MovedInput {
  name: string;
  domain?: [number, number];
  low?: number;
  high?: number;
}

const either = (random: Random) => (random.uniform() < 0.5 ? -1 : 1);

export const REGIONS: readonly Region[] = [
  { name: 'wider: normal with σ 3', draw: (random) => 3 * random.normal() },
  { name: 'uniform in [−10, 10]', draw: (random) => 20 * random.uniform() - 10 },
  { name: 'magnitudes from 0.01 to 100, either sign', draw: (random) => either(random) * 10 ** (4 * random.uniform() - 2) },
  {
    name: 'the draw mirrored (large magnitudes where it had both signs)',
    draw: (random, { low, high }) => {
      // One-signed draws (low ≥ 0 or high ≤ 0) are mirrored to the other sign; else large magnitudes.
      if (low !== undefined && high !== undefined && (low >= 0 || high <= 0)) return -(low + (high - low) * random.uniform());
      return either(random) * (10 + 90 * random.uniform());
    },
  },
];

/** How the report names the drawn point itself, when a failure there is shrunk. */
export const DRAWN = 'the drawn point';

/** The drawn point at `dims`: the op file's own draw, as a point whose values shrinking may change. */
export function drawnPoint(op: Op, seed: number, dims: Record<string, number>): (At & { drawn: string }) | undefined {
  const inputs = materializeInputs(op, seed, dims).filter(movable);
  if (inputs.length === 0) return undefined;
  return { dims, values: Object.fromEntries(inputs.map((input) => [input.name, Float64Array.from(input.data)])), drawn: DRAWN };
}

/** The magnitudes at which the backward must stay finite wherever the forward is. */
export const MAGNITUDES: readonly number[] = [10, 100, 1000];

/** The point of region `kind` (cycling through REGIONS), at `dims`; undefined where no input can move. */
export function regionPoint(op: Op, seed: number, index: number, dims: Record<string, number>): (At & { drawn: string }) | undefined {
  const region = REGIONS[(index - 1) % REGIONS.length];
  const values = movedValues(op, seed, dims, `point/${index}`, (random, input) => intoDomain(region.draw(random, input), input.domain, random));
  return values && { dims, values, drawn: region.name };
}

/** The point with every moved element near ±magnitude (inside the domain); undefined where none can be. */
export function magnitudePoint(op: Op, seed: number, magnitude: number, dims: Record<string, number>): (At & { drawn: string }) | undefined {
  const values = movedValues(op, seed, dims, `magnitude/${magnitude}`, (random, input) => {
    const v = either(random) * magnitude * (0.5 + 0.5 * random.uniform());
    const [lo, hi] = input.domain ?? [-Infinity, Infinity];
    const inside = v > lo && v < hi ? v : -v > lo && -v < hi ? -v : undefined;
    return inside ?? NaN;
  });
  if (!values || Object.values(values).some((array) => array.some(Number.isNaN))) return undefined;
  return { dims, values, drawn: `magnitude ${magnitude}` };
}

/**
 * The sizes of an explored point: the smallest first, then the largest, then seeded sizes, unequal
 * across names where their ranges allow (a backward right only when two sizes agree shows there).
 */
export function exploredDims(op: Op, seed: number, index: number): Record<string, number> {
  const ranges = Object.entries(dimRanges(op));
  if (index === 1) return Object.fromEntries(ranges.map(([name, [min]]) => [name, min]));
  if (index === 2) return Object.fromEntries(ranges.map(([name, [, max]]) => [name, max]));
  const random = createRandom(deriveSeed(seed, `${op.name}/explore/dims/${index}`));
  const used = new Set<number>();
  return Object.fromEntries(ranges.map(([name, [min, max]]) => {
    let size = min + Math.floor((max - min + 1) * random.uniform());
    for (let tries = 0; used.has(size) && tries < max - min; tries++) size = size === max ? min : size + 1;
    used.add(size);
    return [name, size];
  }));
}

/** The inputs a point moves: those that take a gradient and were drawn, not given. */
export function movable(input: MaterializedInput): boolean {
  return !input.constant && !input.given;
}

/** New values for every movable input at `dims`, each element from `value`; undefined when none is movable. */
function movedValues(op: Op, seed: number, dims: Record<string, number>, label: string, value: (random: Random, input: MovedInput) => number): Record<string, Float64Array> | undefined {
  const specs = op.spec.inputs as Record<string, InputSpec>;
  const inputs = materializeInputs(op, seed, dims).filter(movable);
  if (inputs.length === 0) return undefined;
  return Object.fromEntries(inputs.map((input) => {
    const spec = specs[input.name];
    const moved: MovedInput = { name: input.name, domain: input.domain, ...(Array.isArray(spec) ? {} : { low: spec.low, high: spec.high }) };
    const random = createRandom(deriveSeed(seed, `${op.name}/${input.name}/${label}`));
    const values = new Float64Array(input.data.length);
    for (let i = 0; i < values.length; i++) values[i] = value(random, moved);
    return [input.name, values];
  }));
}

/**
 * A value of the whole real line, brought inside (lo, hi): a half-line keeps the value's magnitude
 * from its edge; a bounded domain is filled uniformly, or close to one edge for a third of points.
 */
function intoDomain(v: number, domain: [number, number] | undefined, random: Random): number {
  if (!domain) return v;
  const [lo, hi] = domain;
  if (Number.isFinite(lo) && !Number.isFinite(hi)) return lo + Math.abs(v);
  if (!Number.isFinite(lo) && Number.isFinite(hi)) return hi - Math.abs(v);
  if (!Number.isFinite(lo)) return v;
  const u = random.uniform();
  const near = 10 ** (-4 * random.uniform());
  const fraction = u < 1 / 3 ? near : u < 2 / 3 ? 1 - near : random.uniform();
  const inside = lo + (hi - lo) * fraction;
  return Math.min(Math.max(inside, lo + 1e-9 * (hi - lo)), hi - 1e-9 * (hi - lo));
}
