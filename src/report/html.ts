// `--html report.html`: one self-contained file (inline CSS, SVG and one small inline script; no
// fonts, no network) with, per op, the U-curve of every input with an ε control under it
// (html-scrub.ts), the relative-error tables and the diagnoses. Takes either report: `run`'s
// (directional sweep, element-wise check at the best step) or `sweep`'s (element-wise error at every
// step), and shows the per-step detail of step-detail.ts where a report carries it.
import type { SweepReport } from '../model/report.ts';
import { findMinimum } from '../model/u-curve.ts';
import type { Diagnosis, OpReport, OutputReport, RunReport, Status, SweepPoint } from '../model/report.ts';
import { formatExp, formatInputList, formatOutputError, formatShape, formatTolerances, formatValue, formatWorstIndex, opLocation, rowLabel } from './format.ts';
import { plural } from '../model/words.ts';
import { formatCurve } from './html-curve.ts';
import { escape, scriptJson } from './html-escape.ts';
import { SCRUB_SCRIPT, formatScrub, startStep } from './html-scrub.ts';
import type { ScrubData, ScrubSource } from './html-scrub.ts';
import { STYLE } from './html-style.ts';
import type { DetailedInputReport, DetailedInputSweep } from './step-detail.ts';
import { describeSweep } from './sweep.ts';

export { formatSvg } from './html-curve.ts';
export { escape } from './html-escape.ts';

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
  /** The ε control's source, less what the op supplies. */
  scrub: Omit<ScrubSource, 'label' | 'shape' | 'sweep' | 'tolerance'>;
}

interface PageOp {
  file: string;
  name: string;
  status: Status;
  line?: number;
  error?: string;
  /** Why a skipped op was not checked. */
  skip?: string;
  /** 'fail': the op was expected to fail (a pass then is a failure expected). */
  expect?: 'fail';
  tolerance: number;
  elapsedMs: number;
  diagnoses: Diagnosis[];
  inputs: PageInput[];
  /** Fast mode: the one comparison of all inputs at once, drawn once; `inputs` are then listed, not tabled. */
  /** The joint comparison; `only`: the inputs have no numbers of their own (fast mode), so they are listed, not tabled. */
  joint?: { input: PageInput; summary: string; list: string; only: boolean };
  /** Several outputs: each checked alone, with the others absent. */
  outputs?: OutputReport[];
}

export interface HtmlOptions {
  title?: string;
}

export function formatHtml(report: RunReport | SweepReport, options: HtmlOptions = {}): string {
  const isSweep = report.ops.some((op) => op.inputs.some((input) => 'minimum' in input));
  const ops = report.ops.map((op) => ('diagnoses' in op ? runOp(op) : pageOp(op, [], op.inputs.map((input) => sweepInput(input, op.tolerance)))));
  const head = isSweep ? ['input', 'shape', 'minimum', 'at ε', 'steps within tolerance', 'recommended ε'] : ['input', 'shape', 'best ε', 'rel. error', 'worst element', 'analytic', 'numeric'];
  const count = (status: Status) => ops.filter((op) => op.status === status).length;
  const title = options.title ?? 'gradcheck report';
  const skipped = count('skipped') > 0 ? `, ${count('skipped')} skipped` : '';
  const expected = report.ops.filter((op) => op.status === 'pass' && 'expect' in op && op.expect === 'fail').length;
  const passed = `${count('pass') - expected} passed${expected > 0 ? `, ${expected} expected to fail` : ''}`;
  const tolerances = isSweep ? `tolerance ${formatExp(report.tolerance, 0)}` : formatTolerances(report as RunReport);
  const summary = `${plural(ops.length, 'op')}: ${passed}, ${count('fail')} failed, ${plural(count('error'), 'error')}${skipped} · ${tolerances} · seed ${report.seed}`;
  const scrubs: ScrubData[] = [];
  const sections = ops.map((op) => formatOp(op, head, isSweep, scrubs)).join('\n');
  const script = scrubs.length > 0 ? `<script type="application/json" id="gradcheck-steps">${scriptJson(scrubs)}</script>\n<script>${SCRUB_SCRIPT}</script>\n` : '';
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
${sections}
<footer>Relative error |a − n| / max(|a|, |n|, floor) between the analytic gradient a and the centered difference n. ${
    isSweep ? 'Curves: the largest element-wise relative error at each step ε.' : 'Curves: the directional sweep the checker uses to pick its step.'
  } Under each curve, the ε control: drag it, or focus it and use the arrow keys, or click a point of the curve.</footer>
${script}</body>
</html>
`;
}

function pageOp(op: RunReport['ops'][number] | SweepReport['ops'][number], diagnoses: Diagnosis[], inputs: PageInput[]): PageOp {
  const marks = { skip: op.skip, ...('expect' in op ? { expect: op.expect } : {}) };
  return { file: op.file, name: op.name, status: op.status, line: op.line, error: op.error, tolerance: op.tolerance, elapsedMs: op.elapsedMs, diagnoses, inputs, ...marks };
}

function runOp(op: OpReport): PageOp {
  const page = { ...pageOp(op, op.diagnoses, op.inputs.map(runInput)), ...(op.outputs ? { outputs: op.outputs } : {}) };
  const { joint } = op;
  if (!joint) return page;
  const worst = { index: [], analytic: joint.analytic, numeric: joint.numeric };
  const input = runInput({ name: 'uᵀJv', shape: [], passed: joint.passed, relErr: joint.relErr, bestEps: joint.bestEps, sweep: joint.sweep, worst });
  const summary = `uᵀJv, all inputs at once: rel. error ${formatExp(joint.relErr)} at ε = ${formatExp(joint.bestEps, 0)} (analytic ${formatValue(joint.analytic)}, numeric ${formatValue(joint.numeric)}), ${joint.passed ? 'ok' : 'FAIL'}`;
  const jointInput: PageInput = {
    ...input,
    name: 'all inputs at once',
    caption: 'fast mode: the error of uᵀJv along one direction spanning every input, at each step',
    scrub: { ...input.scrub, elementsAt: (point) => (point.eps === joint.bestEps ? { worst, relErr: joint.relErr, label: 'uᵀJv' } : undefined), missing: 'fast mode compares uᵀJv, one number per step: no element-wise errors' },
  };
  return { ...page, joint: { input: jointInput, summary, list: formatInputList(op.inputs), only: op.mode === 'fast' } };
}

function runInput(input: DetailedInputReport): PageInput {
  const minimum = input.sweep.length > 0 ? findMinimum(input.sweep) : undefined;
  return {
    name: rowLabel(input),
    shape: input.shape,
    passed: input.passed,
    sweep: input.sweep,
    constant: input.constant,
    caption: `element-wise error ${formatExp(input.relErr)} at ε = ${formatExp(input.bestEps, 0)}`,
    cells: [formatExp(input.bestEps, 0), formatExp(input.relErr), formatWorstIndex(input), formatValue(input.worst.analytic), formatValue(input.worst.numeric)],
    scrub: {
      minimumEps: minimum?.eps ?? input.bestEps,
      start: { eps: input.bestEps, why: 'the step the check used' },
      elementsAt: (point) => {
        if (point.eps !== input.bestEps) return undefined;
        const label = input.worst.index.length === 0 && input.shape.length > 0 ? 'along random directions' : undefined;
        return { worst: input.worst, label, relErr: input.relErr, errors: input.errors, histogram: input.histogram };
      },
      missing: `the curve is the directional error; elements were compared only at ε = ${formatExp(input.bestEps, 0)} (gradcheck sweep compares them at every step)`,
    },
  };
}

function sweepInput(input: DetailedInputSweep, tolerance: number): PageInput {
  const band = input.band ? `${formatExp(input.band.largestEps, 0)} … ${formatExp(input.band.smallestEps, 0)}` : 'none';
  return {
    name: input.name,
    shape: input.shape,
    passed: input.passed,
    sweep: input.sweep,
    caption: describeSweep(input, tolerance),
    cells: [formatExp(input.minimum.relErr), formatExp(input.minimum.eps, 0), band, formatExp(input.recommendedEps, 0)],
    scrub: {
      minimumEps: input.minimum.eps,
      start: { eps: input.recommendedEps, why: 'recommended' },
      elementsAt: (point) => {
        const at = input.sweep.find((p) => p.eps === point.eps);
        return at && (at.worst || at.errors || at.histogram) ? { worst: at.worst, errors: at.errors, histogram: at.histogram } : undefined;
      },
      missing: input.measured === 'direction' ? 'measured along one random direction (too many elements to sweep one by one): no element-wise errors' : 'this report carries no element-wise errors per step',
    },
  };
}

function formatOp(op: PageOp, head: string[], isSweep: boolean, scrubs: ScrubData[]): string {
  const badge = op.expect === 'fail' && op.status === 'pass' ? 'EXPECTED FAIL' : op.status === 'skipped' ? 'SKIP' : op.status.toUpperCase();
  const parts = [`<section class="op ${op.status}">`, `<h2><span class="badge ${op.status}">${badge}</span> ${escape(op.name)} <small>${escape(opLocation(op))} · ${op.elapsedMs.toFixed(1)} ms</small></h2>`];
  if (op.skip) parts.push(`<p class="skip">skipped: ${escape(op.skip)}</p>`);
  if (op.error) parts.push(`<p class="error">${escape(op.error)}</p>`);
  if (op.diagnoses.length > 0) {
    parts.push(`<ul class="diagnoses">${op.diagnoses.map((d) => `<li><b>${escape(d.code)}${d.input ? ` (${escape(d.input)})` : ''}:</b> ${escape(d.message)}</li>`).join('')}</ul>`);
  }
  // Constants, and an input whose gradient had the wrong shape, have no curve.
  const plotted = op.joint ? [op.joint.input] : op.inputs.filter((input) => input.sweep.length > 0);
  if (plotted.length > 0) {
    parts.push('<div class="plots">');
    for (const input of plotted) parts.push(formatFigure(op, input, scrubs));
    parts.push(formatSweepTable({ ...op, inputs: plotted }, isSweep));
    parts.push('</div>');
  }
  if (op.joint) parts.push(`<p class="joint"><b>${escape(op.joint.summary)}</b>${op.joint.only ? `<br><span class="inputs-list">inputs: ${escape(op.joint.list)}</span>` : ''}</p>`);
  if (!op.joint?.only && op.inputs.length > 0) {
    const rows = op.inputs.map(
      (input) => `<tr class="${input.passed ? 'ok' : 'bad'}"><td>${escape(input.name)}</td><td>${escape(formatShape(input.shape))}</td>${(input.constant ? head.slice(2).map(() => '—') : input.cells).map((c) => `<td>${escape(c)}</td>`).join('')}<td>${input.constant ? 'constant' : input.passed ? 'ok' : 'FAIL'}</td></tr>`,
    );
    parts.push(`<table class="inputs"><thead><tr>${[...head, 'verdict'].map((h) => `<th>${escape(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`);
  }
  if (op.outputs) {
    const outputs = op.outputs.map((output) => `${escape(output.name)} ${escape(formatShape(output.shape))} ${escape(formatOutputError(output))} <b>${output.passed ? 'ok' : 'FAIL'}</b>`);
    parts.push(`<p class="outputs">outputs, each alone: ${outputs.join(', ')}</p>`);
  }
  parts.push('</section>');
  return parts.join('\n');
}

/** One input's U-curve with its ε control; the control's data joins the page's. */
function formatFigure(op: PageOp, input: PageInput, scrubs: ScrubData[]): string {
  const label = `${op.name}: ${input.name}`;
  const source: ScrubSource = { ...input.scrub, label, shape: input.shape, sweep: input.sweep, tolerance: op.tolerance };
  const curve = formatCurve(input.sweep, op.tolerance, label, startStep(input.sweep, input.scrub.start.eps));
  const scrub = formatScrub(scrubs.length, source, curve);
  scrubs.push(scrub.data);
  const shape = op.joint ? '' : ` ${escape(formatShape(input.shape))}`;
  return `<figure>${curve.svg}${scrub.html}<figcaption><b>${escape(input.name)}</b>${shape}: ${escape(input.caption)}</figcaption></figure>`;
}

/** Every step against every input: the numbers behind the curves. */
function formatSweepTable(op: PageOp, isSweep: boolean): string {
  const steps = op.inputs[0].sweep.map((point) => point.eps);
  const rows = steps.map((eps, i) => {
    const cells = op.inputs.map((input) => {
      const point = input.sweep[i];
      if (!point) return '<td></td>';
      const minimum = point === findMinimum(input.sweep);
      const within = point.relErr <= op.tolerance;
      return `<td class="${minimum ? 'min' : within ? 'ok' : 'bad'}">${escape(formatExp(point.relErr))}${minimum ? ' ◆' : ''}</td>`;
    });
    return `<tr><td>${escape(formatExp(eps, 0))}</td>${cells.join('')}</tr>`;
  });
  const what = op.joint ? 'relative error of uᵀJv' : isSweep ? 'largest element-wise relative error' : 'directional relative error';
  return `<details open><summary>${what} at each step</summary><table class="sweep"><thead><tr><th>ε</th>${op.inputs.map((input) => `<th>${escape(input.name)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></details>`;
}
