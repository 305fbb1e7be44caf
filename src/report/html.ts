// `--html report.html`: one self-contained file (inline CSS and SVG, no scripts, no fonts, no
// network) with, per op, the U-curve of every input, the relative-error tables and the diagnoses.
// Takes either report: `run`'s (directional sweep, element-wise check at the best step) or
// `sweep`'s (element-wise error at every step).
import type { InputSweep, SweepReport } from '../check/sweep.ts';
import { findMinimum, toleranceBand } from '../check/u-curve.ts';
import type { Diagnosis, InputReport, RunReport, Status, SweepPoint } from '../check/types.ts';
import { formatExp, formatShape, formatValue, opLocation, plural } from './format.ts';
import { describeSweep } from './sweep.ts';

/** What the page shows of one input, whichever report it came from. */
interface PageInput {
  name: string;
  shape: number[];
  passed: boolean;
  sweep: SweepPoint[];
  /** What the curve measures and what the check concluded. */
  caption: string;
  /** Extra columns of the inputs table. */
  cells: string[];
  constant?: boolean;
}

interface PageOp {
  file: string;
  name: string;
  status: Status;
  line?: number;
  error?: string;
  tolerance: number;
  elapsedMs: number;
  diagnoses: Diagnosis[];
  inputs: PageInput[];
}

export interface HtmlOptions {
  title?: string;
}

export function formatHtml(report: RunReport | SweepReport, options: HtmlOptions = {}): string {
  const isSweep = report.ops.some((op) => op.inputs.some((input) => 'minimum' in input));
  const ops: PageOp[] = report.ops.map((op) => ({
    file: op.file,
    name: op.name,
    status: op.status,
    line: op.line,
    error: op.error,
    tolerance: op.tolerance,
    elapsedMs: op.elapsedMs,
    diagnoses: 'diagnoses' in op ? op.diagnoses : [],
    inputs: op.inputs.map((input: InputReport | InputSweep) => ('minimum' in input ? sweepInput(input, op.tolerance) : runInput(input))),
  }));
  const head = isSweep ? ['input', 'shape', 'minimum', 'at ε', 'steps within tolerance', 'recommended ε'] : ['input', 'shape', 'best ε', 'rel. error', 'worst element', 'analytic', 'numeric'];
  const count = (status: Status) => ops.filter((op) => op.status === status).length;
  const title = options.title ?? 'gradcheck report';
  const summary = `${plural(ops.length, 'op')}: ${count('pass')} passed, ${count('fail')} failed, ${plural(count('error'), 'error')} · tolerance ${formatExp(report.tolerance, 0)} · seed ${report.seed}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>${escape(title)}</h1><p class="summary ${report.passed ? 'pass' : 'fail'}">${escape(summary)}</p></header>
${ops.map((op) => formatOp(op, head, isSweep)).join('\n')}
<footer>Relative error |a − n| / max(|a|, |n|, floor) between the analytic gradient a and the centered difference n. ${
    isSweep ? 'Curves: the largest element-wise relative error at each step ε.' : 'Curves: the directional sweep the checker uses to pick its step.'
  }</footer>
</body>
</html>
`;
}

function runInput(input: InputReport): PageInput {
  return {
    name: input.name,
    shape: input.shape,
    passed: input.passed,
    sweep: input.sweep,
    constant: input.constant,
    caption: `element-wise error ${formatExp(input.relErr)} at ε = ${formatExp(input.bestEps, 0)}`,
    cells: [formatExp(input.bestEps, 0), formatExp(input.relErr), formatShape(input.worst.index), formatValue(input.worst.analytic), formatValue(input.worst.numeric)],
  };
}

function sweepInput(input: InputSweep, tolerance: number): PageInput {
  const band = input.band ? `${formatExp(input.band.largestEps, 0)} … ${formatExp(input.band.smallestEps, 0)}` : 'none';
  return {
    name: input.name,
    shape: input.shape,
    passed: input.passed,
    sweep: input.sweep,
    caption: describeSweep(input, tolerance),
    cells: [formatExp(input.minimum.relErr), formatExp(input.minimum.eps, 0), band, formatExp(input.recommendedEps, 0)],
  };
}

function formatOp(op: PageOp, head: string[], isSweep: boolean): string {
  const parts = [`<section class="op ${op.status}">`, `<h2><span class="badge ${op.status}">${op.status.toUpperCase()}</span> ${escape(op.name)} <small>${escape(opLocation(op))} · ${op.elapsedMs.toFixed(1)} ms</small></h2>`];
  if (op.error) parts.push(`<p class="error">${escape(op.error)}</p>`);
  if (op.diagnoses.length > 0) {
    parts.push(`<ul class="diagnoses">${op.diagnoses.map((d) => `<li><b>${escape(d.code)}${d.input ? ` (${escape(d.input)})` : ''}:</b> ${escape(d.message)}</li>`).join('')}</ul>`);
  }
  if (op.inputs.length > 0) {
    // Constants, and an input whose gradient had the wrong shape, have no curve.
    const plotted = op.inputs.filter((input) => input.sweep.length > 0);
    parts.push('<div class="plots">');
    for (const input of plotted) {
      parts.push(`<figure>${formatSvg(input.sweep, op.tolerance, `${op.name}: ${input.name}`)}<figcaption><b>${escape(input.name)}</b> ${escape(formatShape(input.shape))}: ${escape(input.caption)}</figcaption></figure>`);
    }
    if (plotted.length > 0) parts.push(formatSweepTable({ ...op, inputs: plotted }, isSweep));
    parts.push('</div>');
    const rows = op.inputs.map(
      (input) => `<tr class="${input.passed ? 'ok' : 'bad'}"><td>${escape(input.name)}</td><td>${escape(formatShape(input.shape))}</td>${input.cells.map((c) => `<td>${escape(c)}</td>`).join('')}<td>${input.constant ? 'constant' : input.passed ? 'ok' : 'FAIL'}</td></tr>`,
    );
    parts.push(`<table class="inputs"><thead><tr>${[...head, 'verdict'].map((h) => `<th>${escape(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`);
  }
  parts.push('</section>');
  return parts.join('\n');
}

/** Every step against every input: the numbers behind the curves. */
function formatSweepTable(op: PageOp, isSweep: boolean): string {
  const steps = op.inputs[0].sweep.map((point) => point.eps);
  const rows = steps.map((eps, i) => {
    const cells = op.inputs.map((input) => {
      const point = input.sweep[i];
      const minimum = point === findMinimum(input.sweep);
      const within = point.relErr <= op.tolerance;
      return `<td class="${minimum ? 'min' : within ? 'ok' : 'bad'}">${escape(formatExp(point.relErr))}${minimum ? ' ◆' : ''}</td>`;
    });
    return `<tr><td>${escape(formatExp(eps, 0))}</td>${cells.join('')}</tr>`;
  });
  const what = isSweep ? 'largest element-wise relative error' : 'directional relative error';
  return `<details open><summary>${what} at each step</summary><table class="sweep"><thead><tr><th>ε</th>${op.inputs.map((input) => `<th>${escape(input.name)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></details>`;
}

const WIDTH = 420;
const HEIGHT = 260;
const MARGIN = { left: 58, right: 16, top: 16, bottom: 44 };

/** The U-curve on log–log axes: the tolerance dashed, the steps within it shaded, the minimum ringed. */
export function formatSvg(sweep: SweepPoint[], tolerance: number, label: string): string {
  const points = [...sweep].sort((a, b) => a.eps - b.eps);
  const minimum = findMinimum(sweep);
  const band = toleranceBand(sweep, minimum, tolerance);
  const logs = points.map((p) => p.relErr).filter((e) => e > 0 && Number.isFinite(e)).map(Math.log10);
  const yTop = Math.min(Math.ceil(Math.max(Math.log10(tolerance), ...logs)), 2);
  const yBottom = Math.max(Math.floor(Math.min(Math.log10(tolerance), ...logs)), yTop - 20) - (points.some((p) => p.relErr === 0) ? 1 : 0);
  const xLeft = Math.floor(Math.log10(points[0].eps));
  const xRight = Math.ceil(Math.log10(points[points.length - 1].eps));
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (eps: number) => MARGIN.left + ((Math.log10(eps) - xLeft) / Math.max(xRight - xLeft, 1)) * plotW;
  const y = (relErr: number) => {
    const log = relErr > 0 ? Math.min(Math.max(Math.log10(relErr), yBottom), yTop) : relErr === 0 ? yBottom : yTop;
    return MARGIN.top + ((yTop - log) / Math.max(yTop - yBottom, 1)) * plotH;
  };
  const n = (v: number) => v.toFixed(1);
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escape(`relative error against step for ${label}`)}">`];
  out.push(`<rect class="frame" x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}"/>`);
  if (band) {
    const left = x(band.smallestEps);
    const right = x(band.largestEps);
    out.push(`<rect class="band" x="${n(left - 6)}" y="${MARGIN.top}" width="${n(right - left + 12)}" height="${plotH}"><title>steps within tolerance</title></rect>`);
  }
  const yStep = yTop - yBottom > 10 ? 2 : 1;
  for (let d = yTop; d >= yBottom; d -= yStep) {
    out.push(`<line class="grid" x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${n(y(10 ** d))}" y2="${n(y(10 ** d))}"/>`);
    out.push(`<text class="tick" x="${MARGIN.left - 6}" y="${n(y(10 ** d) + 4)}" text-anchor="end">1e${d}</text>`);
  }
  const xStep = xRight - xLeft > 8 ? 2 : 1;
  for (let d = xRight; d >= xLeft; d -= xStep) {
    out.push(`<line class="grid" x1="${n(x(10 ** d))}" x2="${n(x(10 ** d))}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}"/>`);
    out.push(`<text class="tick" x="${n(x(10 ** d))}" y="${MARGIN.top + plotH + 16}" text-anchor="middle">1e${d}</text>`);
  }
  out.push(`<text class="axis" x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 6}" text-anchor="middle">step ε</text>`);
  out.push(`<text class="axis" transform="translate(14 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">relative error</text>`);
  const tolY = n(y(tolerance));
  out.push(`<line class="tolerance" x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${tolY}" y2="${tolY}"/>`);
  out.push(`<text class="tolerance-label" x="${MARGIN.left + plotW - 4}" y="${n(y(tolerance) - 5)}" text-anchor="end">tolerance ${formatExp(tolerance, 0)}</text>`);
  out.push(`<polyline class="curve" points="${points.map((p) => `${n(x(p.eps))},${n(y(p.relErr))}`).join(' ')}"/>`);
  for (const p of points) {
    const cls = p.relErr <= tolerance ? 'point ok' : 'point bad';
    out.push(`<circle class="${cls}" cx="${n(x(p.eps))}" cy="${n(y(p.relErr))}" r="3.5"><title>ε ${formatExp(p.eps, 0)}: ${formatExp(p.relErr)}</title></circle>`);
  }
  const mx = x(minimum.eps);
  const my = y(minimum.relErr);
  out.push(`<circle class="minimum" cx="${n(mx)}" cy="${n(my)}" r="8"/>`);
  const anchor = mx > MARGIN.left + plotW * 0.7 ? 'end' : 'start';
  const labelY = my > MARGIN.top + plotH - 18 ? my - 12 : my + 20;
  out.push(`<text class="minimum-label" x="${n(anchor === 'end' ? mx - 10 : mx + 10)}" y="${n(labelY)}" text-anchor="${anchor}">min ${formatExp(minimum.relErr)} at ε ${formatExp(minimum.eps, 0)}</text>`);
  out.push('</svg>');
  return out.join('');
}

export function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

const STYLE = `
:root { color-scheme: light; --ok: #1a7f37; --bad: #cf222e; --err: #8250df; --muted: #59636e; --line: #d1d9e0; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; padding: 24px; max-width: 1100px; color: #1f2328; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 0 0 10px; }
h2 small { color: var(--muted); font-weight: normal; font-size: 13px; }
.summary { margin: 0 0 20px; color: var(--muted); }
.summary.pass::before { content: "✔ "; color: var(--ok); }
.summary.fail::before { content: "✘ "; color: var(--bad); }
section.op { border: 1px solid var(--line); border-radius: 8px; padding: 16px; margin: 0 0 18px; }
section.op.fail { border-left: 4px solid var(--bad); }
section.op.error { border-left: 4px solid var(--err); }
section.op.pass { border-left: 4px solid var(--ok); }
.badge { display: inline-block; font-size: 11px; font-weight: 700; padding: 2px 7px; border-radius: 4px; color: #fff; vertical-align: 2px; }
.badge.pass { background: var(--ok); } .badge.fail { background: var(--bad); } .badge.error { background: var(--err); }
.error { color: var(--err); font-family: ui-monospace, Menlo, Consolas, monospace; }
.diagnoses { background: #fff8c5; border: 1px solid #d4a72c66; border-radius: 6px; padding: 8px 8px 8px 28px; }
.plots { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start; }
details table { margin-top: 4px; }
figure { margin: 0; max-width: 420px; }
figcaption { font-size: 12.5px; color: var(--muted); }
table { border-collapse: collapse; margin: 12px 0 4px; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--line); padding: 2px 9px; text-align: left; font-size: 13px; }
th { background: #f6f8fa; }
tr.bad td:last-child, td.bad { color: var(--bad); }
tr.ok td:last-child, td.ok { color: var(--ok); }
td.min { color: #0969da; font-weight: 700; }
details summary { cursor: pointer; color: var(--muted); font-size: 12.5px; }
footer { color: var(--muted); font-size: 12px; margin-top: 24px; }
svg { background: #fff; font-family: system-ui, sans-serif; }
svg .frame { fill: none; stroke: #8c959f; }
svg .grid { stroke: #eaeef2; }
svg .tick { font-size: 10px; fill: var(--muted); }
svg .axis { font-size: 11px; fill: #1f2328; }
svg .band { fill: #1a7f37; opacity: 0.1; }
svg .tolerance { stroke: #bf8700; stroke-dasharray: 5 4; stroke-width: 1.5; }
svg .tolerance-label { font-size: 10px; fill: #9a6700; }
svg .curve { fill: none; stroke: #0969da; stroke-width: 1.8; }
svg .point.ok { fill: var(--ok); } svg .point.bad { fill: var(--bad); }
svg .minimum { fill: none; stroke: #0969da; stroke-width: 2; }
svg .minimum-label { font-size: 11px; font-weight: 600; fill: #0969da; }
`;
