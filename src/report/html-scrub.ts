// The ε control under each U-curve of the HTML report: a slider over the sweep's steps (arrow keys
// move it a step, Home/End to the ends, a click on a point of the curve jumps there) and, at the
// chosen step, ε, the relative error, which side of the U it lies on, the worst element and every
// element's error as a heat map (or a histogram for a large input), so one sees which elements leave
// the tolerance first, and on which side. The page is rendered at the starting step; the inline
// script only swaps in the text and shapes of another step, all prepared here.
import type { SweepPoint, WorstElement } from '../model/report.ts';
import { formatExp, formatShape, formatValue } from './format.ts';
import { plural } from '../model/words.ts';
import { ascending } from './html-curve.ts';
import type { Curve } from './html-curve.ts';
import { escape } from './html-escape.ts';
import { STEP_ELEMENTS_LIMIT } from './step-detail.ts';
import type { ErrorHistogram } from './step-detail.ts';

/** What was measured element by element at one step. */
export interface ElementsAt {
  worst?: WorstElement;
  /** What `worst` is, when not one element of the input ('uᵀJv' in fast mode). */
  label?: string;
  /** The worst element's error, when the step's relErr on the curve is another measure (run's directional sweep). */
  relErr?: number;
  errors?: number[];
  histogram?: ErrorHistogram;
}

export interface ScrubSource {
  label: string;
  shape: number[];
  sweep: SweepPoint[];
  tolerance: number;
  minimumEps: number;
  /** The step the control starts at, and what it is ('recommended', 'the step the check used'). */
  start: { eps: number; why: string };
  /** The element-wise detail at a step, if any was measured there. */
  elementsAt: (point: SweepPoint) => ElementsAt | undefined;
  /** Shown at a step without element-wise detail: why there is none. */
  missing: string;
}

/** One step as the script shows it: every string already formatted. */
interface StepView {
  eps: string;
  err: string;
  ok: boolean;
  side: string;
  worst: string;
  above: string;
  note: string;
  /** One character per element (see HEAT_CODES), when every element's error is known. */
  heat?: string;
  /** Elements per histogram bar: zeros, each decade of `bins`, non-finite. */
  counts?: number[];
}

/** What the script reads for one control. */
export interface ScrubData {
  start: number;
  /** log10 of the tolerance. */
  tol: number;
  shape: number[];
  points: [number, number][];
  steps: StepView[];
  /** The decades the heat map and the histogram cover, and the heat map's levels per decade. */
  bins?: { from: number; to: number; per: number };
  grid?: { rows: number; cols: number; cell: number };
  hist?: { base: number; height: number; max: number };
}

/** Heat map levels, lowest error first; '-' is an error of exactly 0, '!' one that is not finite. */
export const HEAT_CODES = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function formatScrub(id: number, source: ScrubSource, curve: Curve): { html: string; data: ScrubData } {
  const points = ascending(source.sweep);
  const elements = points.map((point) => usable(source.elementsAt(point), source.shape));
  const bins = decades(elements);
  const start = startStep(source.sweep, source.start.eps);
  const steps = points.map((point, i) => stepView(point, elements[i], source, bins));
  const size = source.shape.reduce((a, b) => a * b, 1);
  const grid = bins && elements.some((e) => e?.errors) ? heatGrid(source.shape) : undefined;
  const max = Math.max(1, ...steps.flatMap((step) => step.counts ?? []));
  const data: ScrubData = { start, tol: Math.log10(source.tolerance), shape: source.shape, points: curve.points.map((p) => [p.x, p.y]), steps, bins, grid, hist: bins ? { base: HIST.top + HIST.plot, height: HIST.plot, max } : undefined };
  const view = steps[start];
  const parts = [
    `<div class="scrub" data-scrub="${id}">`,
    `<div class="control"><label for="eps-${id}">step ε</label><input id="eps-${id}" type="range" min="0" max="${points.length - 1}" step="1" value="${start}" aria-valuetext="${escape(`ε ${view.eps}, relative error ${view.err}`)}"${points.length === 1 ? ' disabled' : ''}><output class="eps" for="eps-${id}">${escape(view.eps)}</output><small>← → · Home End · click a point</small></div>`,
    `<p class="readout">rel. error <b class="err ${view.ok ? 'ok' : 'bad'}">${escape(view.err)}</b> · <span class="side">${escape(view.side)}</span></p>`,
    `<p class="worst">${escape(view.worst)}</p>`,
  ];
  if (bins) {
    const heat = grid ? `<canvas class="heat" width="${grid.cols * grid.cell}" height="${grid.rows * grid.cell}" role="img" aria-label="${escape(`relative error of each of the ${size} elements of ${source.label} at the chosen step`)}"></canvas>` : '';
    parts.push(`<div class="elements">${heat}${formatHistogram(bins, view.counts, max, source.tolerance, elements)}</div>`);
    const cells = grid ? `each cell one element, ${grid.rows === 1 ? 'in one row' : `in ${grid.rows} rows of ${grid.cols}`} (hover for its index): ` : '';
    parts.push(`<p class="legend">${escape(`${cells}green within the tolerance, darker further below it; orange to dark red above it`)}</p>`);
  }
  parts.push(`<p class="above">${escape(view.above)}</p>`, `<p class="note">${escape(view.note)}</p>`, '</div>');
  return { html: parts.join(''), data };
}

/** Where the control starts: the step of `eps`, or the nearest on the log scale should it be missing. */
export function startStep(sweep: SweepPoint[], eps: number): number {
  const distances = ascending(sweep).map((point) => Math.abs(Math.log10(point.eps) - Math.log10(eps)));
  const nearest = Math.min(...distances);
  return Math.max(0, distances.findIndex((d) => d === nearest));
}

/** Element-wise detail the page can draw: errors only when there is one per element and not too many. */
function usable(at: ElementsAt | undefined, shape: number[]): ElementsAt | undefined {
  if (!at) return undefined;
  const size = shape.reduce((a, b) => a * b, 1);
  if (at.errors && (at.errors.length !== size || size > STEP_ELEMENTS_LIMIT)) {
    // Beyond the limit the page carries the histogram, not every element.
    return { ...at, errors: undefined, histogram: at.histogram ?? (at.errors.length === size ? histogramOf(at.errors) : undefined) };
  }
  return at;
}

function stepView(point: SweepPoint, at: ElementsAt | undefined, source: ScrubSource, bins: ScrubData['bins']): StepView {
  const { tolerance, minimumEps, start } = source;
  const side = point.eps === minimumEps ? 'the bottom of the U' : point.eps > minimumEps ? 'truncation side: ε above the minimum' : 'cancellation side: ε below the minimum';
  const view: StepView = {
    eps: formatExp(point.eps, 0),
    err: formatExp(point.relErr),
    ok: point.relErr <= tolerance,
    side: point.eps === start.eps ? `${side}, ${start.why}` : side,
    worst: '',
    above: '',
    note: at ? '' : source.missing,
  };
  if (!at) return view;
  if (at.worst) {
    const error = at.relErr !== undefined ? `rel. error ${formatExp(at.relErr)}, ` : '';
    view.worst = `${at.label ?? `worst element ${formatShape(at.worst.index)}`}: ${error}analytic ${formatValue(at.worst.analytic)}, numeric ${formatValue(at.worst.numeric)}`;
  }
  const histogram = at.histogram ?? (at.errors ? histogramOf(at.errors) : undefined);
  if (histogram && bins) {
    view.counts = binCounts(histogram, bins);
    view.above = aboveTolerance(histogram, at.errors, tolerance);
  }
  if (at.errors && bins) view.heat = heatCodes(at.errors, bins);
  return view;
}

function histogramOf(errors: number[]): ErrorHistogram {
  // Loops, not Math.min(...errors): an input of a million elements would overflow the call's arguments.
  let zeros = 0;
  let nonFinite = 0;
  const byDecade = new Map<number, number>();
  for (const e of errors) {
    if (e === 0) zeros++;
    else if (!Number.isFinite(e)) nonFinite++;
    else {
      const decade = Math.floor(Math.log10(e));
      byDecade.set(decade, (byDecade.get(decade) ?? 0) + 1);
    }
  }
  const decades = [...byDecade.keys()];
  const fromDecade = decades.length > 0 ? Math.min(...decades) : 0;
  const counts = Array.from({ length: decades.length > 0 ? Math.max(...decades) - fromDecade + 1 : 0 }, (_, i) => byDecade.get(fromDecade + i) ?? 0);
  return { fromDecade, counts, zeros, nonFinite };
}

/** The decades every step's errors fall in, shared so that the bars and colours of two steps compare. */
function decades(elements: (ElementsAt | undefined)[]): ScrubData['bins'] {
  const histograms = elements.flatMap((at) => (at?.histogram ? [at.histogram] : at?.errors ? [histogramOf(at.errors)] : []));
  const filled = histograms.filter((h) => h.counts.length > 0);
  if (histograms.length === 0) return undefined;
  const from = filled.length > 0 ? Math.min(...filled.map((h) => h.fromDecade)) : 0;
  const to = filled.length > 0 ? Math.max(...filled.map((h) => h.fromDecade + h.counts.length)) : 1;
  return { from, to, per: Math.max(1, Math.min(4, Math.floor(HEAT_CODES.length / (to - from)))) };
}

function binCounts(histogram: ErrorHistogram, bins: NonNullable<ScrubData['bins']>): number[] {
  const counts = new Array<number>(bins.to - bins.from + 2).fill(0);
  counts[0] = histogram.zeros;
  histogram.counts.forEach((count, i) => (counts[histogram.fromDecade + i - bins.from + 1] += count));
  counts[counts.length - 1] = histogram.nonFinite;
  return counts;
}

function aboveTolerance(histogram: ErrorHistogram, errors: number[] | undefined, tolerance: number): string {
  const size = histogram.zeros + histogram.nonFinite + histogram.counts.reduce((a, b) => a + b, 0);
  if (errors) return `${errors.filter((e) => !(e <= tolerance)).length} of ${plural(size, 'element')} above the tolerance`;
  // From whole decades: exact when the tolerance is a power of ten.
  const from = Math.log10(tolerance) - histogram.fromDecade;
  const above = histogram.counts.slice(Math.max(0, Math.ceil(from))).reduce((a, b) => a + b, histogram.nonFinite);
  return `${Number.isInteger(from) ? '' : 'about '}${above} of ${plural(size, 'element')} above the tolerance`;
}

function heatCodes(errors: number[], bins: NonNullable<ScrubData['bins']>): string {
  const top = HEAT_CODES.length - 1;
  return errors
    .map((e) => (e === 0 ? '-' : !Number.isFinite(e) ? '!' : HEAT_CODES[Math.min(top, Math.max(0, Math.floor((Math.log10(e) - bins.from) * bins.per)))]))
    .join('');
}

/**
 * Rows and columns of the heat map: a matrix as it is (the last axis across, the others down), a
 * long vector or a tall, thin array wrapped at 64 columns, so that no map is longer than 128 cells.
 */
function heatGrid(shape: number[]): NonNullable<ScrubData['grid']> {
  const size = shape.reduce((a, b) => a * b, 1);
  const last = shape.at(-1) ?? 1;
  const cols = last <= 128 && size / last <= 128 ? last : 64;
  const rows = Math.ceil(size / cols);
  return { rows, cols, cell: Math.max(2, Math.min(18, Math.floor(216 / Math.max(cols, rows)))) };
}

const HIST = { width: 190, height: 104, left: 6, top: 8, plot: 64 };

/** Bars of elements per decade of error, the tolerance dashed; the script resizes the bars per step. */
function formatHistogram(bins: NonNullable<ScrubData['bins']>, counts: number[] | undefined, max: number, tolerance: number, elements: (ElementsAt | undefined)[]): string {
  const decadesShown = bins.to - bins.from;
  const histograms = elements.map((at) => at?.histogram ?? (at?.errors ? histogramOf(at.errors) : undefined));
  const hasZeros = histograms.some((h) => (h?.zeros ?? 0) > 0);
  const hasNonFinite = histograms.some((h) => (h?.nonFinite ?? 0) > 0);
  const bars = decadesShown + 2;
  const width = (HIST.width - 2 * HIST.left) / bars;
  const base = HIST.top + HIST.plot;
  const out = [`<svg class="histogram" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${HIST.width} ${HIST.height}" width="${HIST.width}" height="${HIST.height}" role="img" aria-label="elements per decade of relative error at the chosen step">`];
  for (let k = 0; k < bars; k++) {
    const height = ((counts?.[k] ?? 0) / max) * HIST.plot;
    const lower = k === 0 ? -Infinity : k === bars - 1 ? Infinity : bins.from + k - 1;
    const cls = k === bars - 1 ? 'nonfinite' : 10 ** lower >= tolerance ? 'bad' : 'ok';
    out.push(`<rect class="bar ${cls}" x="${(HIST.left + k * width + 1).toFixed(1)}" y="${(base - height).toFixed(1)}" width="${Math.max(1, width - 2).toFixed(1)}" height="${height.toFixed(1)}"/>`);
  }
  const tolX = HIST.left + (Math.log10(tolerance) - bins.from + 1) * width;
  if (tolX > HIST.left + width && tolX < HIST.width - HIST.left - width) out.push(`<line class="tolerance" x1="${tolX.toFixed(1)}" x2="${tolX.toFixed(1)}" y1="${HIST.top - 4}" y2="${base}"/>`);
  out.push(`<line class="axis" x1="${HIST.left}" x2="${HIST.width - HIST.left}" y1="${base}" y2="${base}"/>`);
  // A decade's label at its bar's left edge, where its errors begin; the zeros' and the non-finite ones' at their bars' middle.
  const label = (x: number, text: string) => `<text class="tick" x="${(HIST.left + x * width).toFixed(1)}" y="${base + 14}" text-anchor="middle">${text}</text>`;
  if (hasZeros) out.push(label(0.5, '0'));
  if (hasNonFinite) out.push(label(bars - 0.5, 'NaN'));
  const every = Math.ceil(decadesShown / 4);
  for (let d = 0; d <= decadesShown; d += every) out.push(label(d + 1, `1e${bins.from + d}`));
  out.push(`<text class="tick" x="${HIST.width / 2}" y="${HIST.height - 4}" text-anchor="middle">elements by relative error</text>`);
  out.push('</svg>');
  return out.join('');
}

/**
 * The page's one script, inline (the page stays one file that opens offline): it reads the steps
 * from the JSON block and shows the chosen one. Plain ES2017 without template literals, so that it
 * sits in this TypeScript string as written.
 */
export const SCRUB_SCRIPT = `(function () {
  var data = JSON.parse(document.getElementById('gradcheck-steps').textContent);
  var CODES = ${JSON.stringify(HEAT_CODES)};
  function mix(a, b, t) { return a.map(function (v, i) { return Math.round(v + (b[i] - v) * t); }); }
  function logOf(input, code) { return input.bins.from + (CODES.indexOf(code) + 0.5) / input.bins.per; }
  // Green within the tolerance (darker the further below), orange to dark red above it.
  function colour(input, code) {
    if (code === '-') return 'rgb(10,70,30)';
    if (code === '!') return 'rgb(130,80,223)';
    var t = logOf(input, code) - input.tol;
    var c = t <= 0 ? mix([226, 242, 186], [17, 99, 41], Math.min(-t / 4, 1)) : mix([250, 170, 70], [130, 7, 30], Math.min(t / 3, 1));
    return 'rgb(' + c.join(',') + ')';
  }
  function indexOf(shape, k) {
    var index = [];
    for (var a = shape.length - 1; a >= 0; a--) { index.unshift(k % shape[a]); k = Math.floor(k / shape[a]); }
    return '[' + index.join(', ') + ']';
  }
  function drawHeat(canvas, input, heat) {
    var ctx = canvas.getContext('2d');
    var g = input.grid, gap = g.cell >= 6 ? 1 : 0;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    canvas.classList.toggle('empty', !heat);
    if (!heat) return;
    for (var k = 0; k < heat.length; k++) {
      ctx.fillStyle = colour(input, heat[k]);
      ctx.fillRect((k % g.cols) * g.cell, Math.floor(k / g.cols) * g.cell, g.cell - gap, g.cell - gap);
    }
  }
  document.querySelectorAll('[data-scrub]').forEach(function (root) {
    var input = data[Number(root.getAttribute('data-scrub'))];
    var figure = root.closest('figure');
    var slider = root.querySelector('input[type=range]');
    var canvas = root.querySelector('canvas.heat');
    var bars = Array.prototype.slice.call(root.querySelectorAll('svg.histogram rect.bar'));
    var circles = Array.prototype.slice.call(figure.querySelectorAll('svg.curve circle[data-step]'));
    var cursor = figure.querySelector('svg.curve .cursor');
    function field(name, text) { root.querySelector('.' + name).textContent = text; }
    function show(i) {
      var step = input.steps[i];
      slider.value = String(i);
      slider.setAttribute('aria-valuetext', 'ε ' + step.eps + ', relative error ' + step.err);
      field('eps', step.eps);
      field('err', step.err);
      root.querySelector('.err').className = 'err ' + (step.ok ? 'ok' : 'bad');
      field('side', step.side);
      field('worst', step.worst);
      field('above', step.above);
      field('note', step.note);
      root.setAttribute('data-step', String(i));
      if (cursor) cursor.setAttribute('transform', 'translate(' + input.points[i][0] + ' 0)');
      circles.forEach(function (c, k) { c.classList.toggle('current', k === i); });
      if (canvas) drawHeat(canvas, input, step.heat);
      bars.forEach(function (bar, k) {
        var h = ((step.counts && step.counts[k]) || 0) / input.hist.max * input.hist.height;
        bar.setAttribute('y', (input.hist.base - h).toFixed(1));
        bar.setAttribute('height', h.toFixed(1));
      });
    }
    slider.addEventListener('input', function () { show(Number(slider.value)); });
    circles.forEach(function (c, k) { c.addEventListener('click', function () { show(k); slider.focus(); }); });
    if (canvas) canvas.addEventListener('mousemove', function (event) {
      var box = canvas.getBoundingClientRect();
      var k = Math.floor((event.clientY - box.top) / box.height * input.grid.rows) * input.grid.cols + Math.floor((event.clientX - box.left) / box.width * input.grid.cols);
      var heat = input.steps[Number(slider.value)].heat;
      if (!heat || k < 0 || k >= heat.length) { canvas.removeAttribute('title'); return; }
      var code = heat[k];
      canvas.title = indexOf(input.shape, k) + ': ' + (code === '-' ? 'error 0' : code === '!' ? 'not finite' : 'error about ' + Math.pow(10, logOf(input, code)).toExponential(0));
    });
    show(input.start);
  });
})();`;
