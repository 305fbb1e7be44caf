// Beyond the drawn point: after the check at its one seeded point, the op is checked at a few more
// points spread over its domain (points.ts), each cheaply, in fast mode (a backward and a few
// forwards along random directions), whose failure falls through to the element-wise check, so
// that a failing point names its elements, and the report says what singles them out. At large
// magnitudes the backward must stay finite wherever the forward is. A point where the forward is
// not finite is skipped, not failed. Under --explore there are more points, named dimensions take
// many sizes, and a failure is shrunk to its smallest case (shrink.ts).
import type { Op } from '../../spec/define.ts';
import { formatIndex, short } from '../../model/words.ts';
import type { CheckOptions } from '../../model/options.ts';
import type { Diagnosis, MinimalCase, OpReport, PointReport } from '../../model/report.ts';
import { gradientsFor } from '../analytic.ts';
import { largestMagnitude } from '../numeric/vectors.ts';
import { DRAW, drawCotangent } from '../draws.ts';
import { prepare } from '../prepare.ts';
import type { At, Prepared } from '../prepare.ts';
import { drawnPoint, exploredDims, MAGNITUDES, magnitudePoint, regionPoint } from './points.ts';
import { shrink } from './shrink.ts';

/** Points a plain run checks beyond the drawn one. */
export const PLAIN_POINTS = 4;

export interface Beyond {
  points: PointReport[];
  diagnoses: Diagnosis[];
  failed: boolean;
  evaluations: number;
  minimal?: MinimalCase;
}

/** Checks the op at one point: its report there (fast mode, falling through to element-wise). */
export type CheckAt = (at: At) => OpReport;

export function lookBeyond(op: Op, prepared: Prepared, options: CheckOptions, checkAt: CheckAt): Beyond {
  const exploring = (options.explore ?? 0) > 0;
  const count = exploring ? options.explore! : PLAIN_POINTS;
  const seed = prepared.settings.seed;
  const beyond: Beyond = { points: [], diagnoses: [], failed: false, evaluations: 0 };
  const counted = countingIn(beyond, checkAt);
  for (let index = 1; index <= count && !beyond.failed; index++) {
    const dims = exploring ? exploredDims(op, seed, index) : prepared.dims;
    const at = regionPoint(op, seed, index, dims);
    if (!at) break;
    const report = counted(at);
    const point = pointReport(index, at, report);
    beyond.points.push(point);
    if (point.status !== 'fail') continue;
    beyond.failed = true;
    beyond.diagnoses.push(pointFailure(point, report));
    if (exploring) beyond.minimal = shrink(op, at, (candidate) => counted(candidate).status === 'fail', seed);
  }
  if (!beyond.failed) stability(op, prepared, beyond);
  return beyond;
}

/** Each input's largest gradient at the drawn point, under its cotangent: the scale every point's elements are compared against (at least). */
export function drawnGradientScales({ problem, cotangent, inputs }: Prepared): Record<string, number> {
  const gradients = gradientsFor(problem, cotangent);
  return Object.fromEntries(inputs.map((input, k) => [input.name, largestMagnitude(gradients[k])]));
}

/**
 * Under --explore, an op that fails at its drawn point: that failure shrunk to its smallest case.
 * None where the quick check at a point does not see the failure (a contract broken, not a number).
 */
export function shrinkDrawn(op: Op, prepared: Prepared, checkAt: CheckAt): { minimal?: MinimalCase; evaluations: number } {
  const seed = prepared.settings.seed;
  const result: { minimal?: MinimalCase; evaluations: number } = { evaluations: 0 };
  const counted = countingIn(result, checkAt);
  const at = drawnPoint(op, seed, prepared.dims);
  if (at && counted(at).status === 'fail') result.minimal = shrink(op, at, (candidate) => counted(candidate).status === 'fail', seed);
  return result;
}

/** checkAt, adding each check's evaluations to the tally. */
function countingIn(tally: { evaluations: number }, checkAt: CheckAt): CheckAt {
  return (at) => {
    const report = checkAt(at);
    tally.evaluations += report.evaluations;
    return report;
  };
}

function pointReport(index: number, at: At & { drawn: string }, report: OpReport): PointReport {
  const base = { index, drawn: at.drawn, ...(Object.keys(at.dims ?? {}).length > 0 ? { dims: at.dims } : {}) };
  // The forward not finite there: outside where the op is defined, so nothing to check.
  if (report.status === 'error' && report.diagnoses.some((d) => d.code === 'non-finite')) return { ...base, status: 'skipped' };
  if (report.status === 'error') return { ...base, status: 'error', error: report.error };
  if (report.status === 'pass') return { ...base, status: report.verdict === 'inconclusive' ? 'inconclusive' : 'pass' };
  const values = Object.fromEntries(Object.entries(at.values ?? {}).map(([name, array]) => [name, Array.from(array)]));
  return { ...base, status: 'fail', where: whereItFails(at, report), inputs: report.inputs, diagnoses: report.diagnoses, values };
}

/**
 * The op's finding: it fails at a point beyond the drawn one, which, and where. A gradient that is
 * not finite there while the forward is, is `unstable`.
 */
function pointFailure(point: PointReport, report: OpReport): Diagnosis {
  const sizes = point.dims ? ` (${Object.entries(point.dims).map(([name, size]) => `${name} = ${size}`).join(', ')})` : '';
  const found = report.diagnoses.find((d) => d.code !== 'non-differentiable');
  return {
    code: found?.code === 'non-finite' ? 'unstable' : 'fails-elsewhere',
    ...(found?.input ? { input: found.input } : {}),
    message:
      `passes at the drawn point but fails${point.where ? ` ${point.where}` : ''} at point ${point.index} (${point.drawn})${sizes}: ` +
      `${found ? found.message : `relative error ${short(report.maxRelErr)}`}`,
  };
}

/**
 * What singles out a point's failing elements among an input's: all below a value, all above one,
 * all of large magnitude or of small, said with a round boundary between the failing and the
 * passing; else which elements. A boundary is said only where chance would rarely draw it: one
 * failing element of three is always the smallest or the largest of them, and says nothing.
 */
export function whereItFails(at: At, report: OpReport): string | undefined {
  const row = report.inputs.find((input) => !input.passed && input.failing && at.values?.[input.name]);
  if (!row) return undefined;
  const values = at.values![row.name];
  const flat = (index: number[]) => index.reduce((offset, i, axis) => offset * row.shape[axis] + i, 0);
  // Confirmed elements against those that agreed; the undecided take neither side.
  const failing = new Set(row.failing!.map(flat));
  const undecided = new Set((row.undecided ?? []).map(flat));
  if (failing.size === 0) return undefined;
  if (failing.size === values.length) return `on every element of '${row.name}'`;
  const bad = Array.from(failing, (i) => values[i]);
  const good = Array.from(values).filter((_, i) => !failing.has(i) && !undecided.has(i));
  const rule = good.length > 0 ? separatingRule(row.name, bad, good) : undefined;
  if (rule && byChance(bad.length + good.length, bad.length, rule.limit === 0) <= CHANCE[rule.limit === 0 ? 'sign' : 'searched']) {
    // Named by how many of the input's elements lie there, which refining (it stops after a few) may not have reached.
    const n = values.filter(rule.holds).length;
    return `where ${rule.said}: the ${n === 1 ? 'element' : `${n} elements`} ${rule.which}`;
  }
  const first = flat(row.failing![0]);
  const element = `${row.name}${formatIndex(first, row.shape)} = ${short(values[first])}`;
  return failing.size === 1 ? `at ${element} alone` : `on ${failing.size} of ${values.length} elements of '${row.name}' (first ${element})`;
}

/**
 * How likely chance may be to have drawn a boundary that is said. A boundary found by search (any
 * value between the failing and the passing) needs strong evidence; the sign, where most branches
 * split (relu, abs, selu), is asked about without searching and is likely beforehand, so weak will do.
 */
const CHANCE = { searched: 0.05, sign: 0.5 };

interface Rule {
  said: string;
  which: string;
  limit: number;
  holds: (v: number) => boolean;
}

/** A boundary with every failing value on one side and every passing one on the other, if there is one. */
function separatingRule(name: string, bad: number[], good: number[]): Rule | undefined {
  const rule = (limit: string, said: string, which: string, holds: (v: number, limit: number) => boolean): Rule =>
    ({ said: `${said} ${limit}`, which, limit: Number(limit), holds: (v) => holds(v, Number(limit)) });
  const abs = (list: number[]) => list.map(Math.abs);
  const [maxBad, minBad, maxGood, minGood] = [Math.max(...bad), Math.min(...bad), Math.max(...good), Math.min(...good)];
  if (maxBad < minGood) {
    const limit = boundary(maxBad, minGood, maxBad);
    return rule(limit, `${name} <`, `below ${limit}`, (v, l) => v < l);
  }
  if (minBad > maxGood) {
    const limit = boundary(maxGood, minBad, minBad);
    return rule(limit, `${name} >`, `above ${limit}`, (v, l) => v > l);
  }
  const [largeBad, smallBad, largeGood, smallGood] = [Math.max(...abs(bad)), Math.min(...abs(bad)), Math.max(...abs(good)), Math.min(...abs(good))];
  if (smallBad > largeGood) return rule(boundary(largeGood, smallBad, smallBad), `|${name}| >`, 'of largest magnitude', (v, l) => Math.abs(v) > l);
  if (largeBad < smallGood) return rule(boundary(largeBad, smallGood, largeBad), `|${name}| <`, 'of smallest magnitude', (v, l) => Math.abs(v) < l);
  return undefined;
}

/**
 * The chance that k failing elements of n, chosen at random, are separated: by one of the four
 * searched rules, or by the sign (below or above 0), over n choose k.
 */
function byChance(n: number, k: number, sign: boolean): number {
  let logChoose = 0;
  for (let i = 1; i <= k; i++) logChoose += Math.log(n - k + i) - Math.log(i);
  return Math.min(1, (sign ? 2 : 4) / Math.exp(logChoose));
}

/**
 * The roundest number between a and b (a < b): 0 if it lies between, else a multiple of the
 * coarsest power of ten that has one there, the one nearest `failing` (the failing elements' edge):
 * they say the bug reaches that far, not how much further.
 */
function boundary(a: number, b: number, failing: number): string {
  if (a < 0 && b > 0) return '0';
  // From the larger end's decade down to the smallest denormal's; capped, as an infinite end has no decade.
  for (let exponent = Math.min(308, Math.ceil(Math.log10(Math.max(Math.abs(a), Math.abs(b))))); exponent >= -323; exponent--) {
    const step = 10 ** exponent;
    const inside: number[] = [];
    // Strictly between as floats: a multiple one ulp from a or b rounds onto it.
    // Counted apart from the multiple: past 2^53 (a and b a few ulps apart) m + 1 rounds back to m.
    const below = Math.floor(a / step);
    for (let k = 1; k <= 20 && (below + k) * step < b; k++) if ((below + k) * step > a) inside.push((below + k) * step);
    if (inside.length > 0) {
      const nearest = inside.reduce((best, m) => (Math.abs(m - failing) < Math.abs(best - failing) ? m : best));
      // Rounded for reading (0.30000000000000004 is 0.3), unless that leaves the gap.
      const shown = Number(nearest.toPrecision(12));
      return String(shown > a && shown < b ? shown : nearest);
    }
  }
  const middle = (a + b) / 2;
  return String(middle > a && middle < b ? middle : b);
}

/**
 * At large magnitudes, a backward that gives NaN or ±Infinity where the forward is finite: an
 * `unstable` finding naming the input, the element and its value. One forward and one backward
 * per magnitude; a magnitude where the forward is not finite is skipped.
 */
function stability(op: Op, prepared: Prepared, beyond: Beyond): void {
  const { settings } = prepared;
  for (const magnitude of MAGNITUDES) {
    const at = magnitudePoint(op, settings.seed, magnitude, prepared.dims);
    if (!at) continue;
    const index = beyond.points.length + 1;
    let there: Prepared;
    try {
      there = prepare(op, { ...settings, at });
    } catch {
      beyond.points.push({ index, drawn: at.drawn, status: 'skipped' });
      continue;
    }
    const cotangent = drawCotangent(settings.seed, `${DRAW.cotangent(op.name)}/magnitude/${magnitude}`, there.output.length, { randomForScalar: true });
    let gradients: Float64Array[];
    try {
      gradients = gradientsFor(there.problem, cotangent);
    } catch (error) {
      beyond.points.push({ index, drawn: at.drawn, status: 'error', error: error instanceof Error ? error.message : String(error) });
      continue;
    }
    beyond.evaluations += 1;
    const k = gradients.findIndex((g, j) => !there.inputs[j].constant && g.some((v) => !Number.isFinite(v)));
    if (k < 0) {
      beyond.points.push({ index, drawn: at.drawn, status: 'pass' });
      continue;
    }
    const input = there.inputs[k];
    const i = gradients[k].findIndex((v) => !Number.isFinite(v));
    beyond.points.push({ index, drawn: at.drawn, status: 'unstable' });
    beyond.failed = true;
    beyond.diagnoses.push({
      code: 'unstable',
      input: input.name,
      message:
        `at magnitude ${magnitude} (every element of the moved inputs near ±${magnitude}), the backward gives ${gradients[k][i]} for '${input.name}' at ` +
        `${formatIndex(i, input.shape)} (${input.name} = ${short(input.data[i])}) where the forward is finite: a derivative computed in a way that overflows ` +
        `(e.g. exp(x) / (1 + exp(x)) instead of 1 / (1 + exp(−x))) trains into NaN there.`,
    });
    return;
  }
}
