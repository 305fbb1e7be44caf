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
import { DRAW, drawCotangent } from '../draws.ts';
import { prepare, settingsFor } from '../prepare.ts';
import type { At, Prepared } from '../prepare.ts';
import { exploredDims, MAGNITUDES, magnitudePoint, regionPoint } from './points.ts';
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
  for (let index = 1; index <= count && !beyond.failed; index++) {
    const dims = exploring ? exploredDims(op, seed, index) : prepared.dims;
    const at = regionPoint(op, seed, index, dims);
    if (!at) break;
    const report = checkAt(at);
    beyond.evaluations += report.evaluations;
    const point = pointReport(index, at, report);
    beyond.points.push(point);
    if (point.status !== 'fail') continue;
    beyond.failed = true;
    beyond.diagnoses.push(pointFailure(point, report));
    if (exploring) beyond.minimal = shrink(op, at, (candidate) => checkAt(candidate).status === 'fail', seed);
  }
  if (!beyond.failed) stability(op, prepared, beyond);
  return beyond;
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
      `passes at the drawn point but fails at point ${point.index} (${point.drawn})${sizes}` +
      `${point.where ? `, where ${point.where}` : ''}: ${found ? found.message : `relative error ${short(report.maxRelErr)}`}`,
  };
}

/**
 * What singles out a point's failing elements among an input's: all below a value, all above one,
 * all of large magnitude or of small, said with a round boundary between the failing and the
 * passing; else how many there are.
 */
export function whereItFails(at: At, report: OpReport): string | undefined {
  const row = report.inputs.find((input) => !input.passed && input.failing && at.values?.[input.name]);
  if (!row) return undefined;
  const values = at.values![row.name];
  const flat = (index: number[]) => index.reduce((offset, i, axis) => offset * row.shape[axis] + i, 0);
  const failing = new Set(row.failing!.map(flat));
  if (failing.size === values.length) return `every element of '${row.name}' fails`;
  const bad = Array.from(failing, (i) => values[i]);
  const good = Array.from(values).filter((_, i) => !failing.has(i));
  const count = `the ${failing.size === 1 ? 'element' : `${failing.size} elements`}`;
  const name = row.name;
  if (Math.max(...bad) < Math.min(...good)) return `${name} < ${boundary(Math.max(...bad), Math.min(...good))}: ${count} below it`;
  if (Math.min(...bad) > Math.max(...good)) return `${name} > ${boundary(Math.max(...good), Math.min(...bad))}: ${count} above it`;
  const abs = (list: number[]) => list.map(Math.abs);
  if (Math.min(...abs(bad)) > Math.max(...abs(good))) return `|${name}| > ${boundary(Math.max(...abs(good)), Math.min(...abs(bad)))}: ${count} of largest magnitude`;
  if (Math.max(...abs(bad)) < Math.min(...abs(good))) return `|${name}| < ${boundary(Math.max(...abs(bad)), Math.min(...abs(good)))}: ${count} of smallest magnitude`;
  const first = flat(row.failing![0]);
  const element = `${name}${formatIndex(first, row.shape)} = ${short(values[first])}`;
  return failing.size === 1 ? `at ${element} alone` : `at ${failing.size} elements of '${name}' no threshold singles out (first ${element})`;
}

/** The roundest number between a and b (a < b): 0 if it lies between, else the multiple of the coarsest power of ten, nearest the middle. */
function boundary(a: number, b: number): string {
  if (a < 0 && b > 0) return '0';
  const middle = (a + b) / 2;
  for (let exponent = Math.ceil(Math.log10(Math.max(Math.abs(a), Math.abs(b)))); exponent > -12; exponent--) {
    const step = 10 ** exponent;
    const nearest = Math.round(middle / step) * step;
    const candidates = [nearest, nearest - step, nearest + step].filter((m) => m > a && m < b);
    if (candidates.length > 0) return String(Number(candidates[0].toPrecision(12)));
  }
  return short(middle);
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
      there = prepare(op, { ...settingsFor(op, {}), ...settings, at });
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
