// What `gradcheck sweep` prints and draws, in process: the U-curve chart, the table of steps, the
// sentence naming the band and the step to use, and the HTML page's curves. The sweeps are the
// library's own, of the smooth ops in test/report/fixtures/smooth.ts.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadOps, plain } from '../helpers/in-process.ts';
import type { Op } from '../../src/spec/define.ts';
import { sweepOp } from '../../src/check/sweep.ts';
import type { OpSweep } from '../../src/model/report.ts';
import { formatUCurve, MARKERS } from '../../src/report/chart.ts';
import { formatHtml } from '../../src/report/html.ts';
import { formatOpSweep } from '../../src/report/sweep.ts';
import { FIXTURES } from './cli.ts';

const SMOOTH = 'test/report/fixtures/smooth.ts';
let ops: Op[];
beforeAll(async () => {
  ops = await loadOps(join(FIXTURES, 'smooth.ts'));
});
const sweepOf = (name: string, eps?: number[]): OpSweep => sweepOp(ops.find((op) => op.name === name)!, { eps }, SMOOTH);

describe('the terminal sweep', () => {
  it('draws the chart and names the band and the step to use', () => {
    const text = plain(() => formatOpSweep(sweepOf('sin', [1e-2, 1e-4, 1e-5, 1e-6, 1e-8, 1e-10])));
    expect(text).toMatch(/^ PASS  sin  test\/report\/fixtures\/smooth\.ts:\d+  [\d.]+ ms, \d+ evaluations/);
    expect(text).toContain('input x [16]: largest element-wise relative error at each step');
    expect(text).toMatch(/◆ minimum/);
    expect(text).toMatch(/┼┄+.*tolerance 1e-7/);
    expect(text).toMatch(/→ minimum \S+ at ε = 1e-(5|6); within tolerance 1e-7 for ε from 1e-\d+ down to 1e-\d+; recommended ε = 1e-(5|6)/);
    // The ε axis: the six steps, smallest on the left.
    expect(text).toMatch(/1e-10 +1e-8 +1e-6 +1e-5 +1e-4 +1e-2 +ε/);
  });

  it('marks the minimum, the steps within tolerance, those above it and those off the chart', () => {
    // Two exact zeros: the larger step is the minimum, the other falls below the chart.
    const sweep = [
      { eps: 1e-1, relErr: 1e-2 },
      { eps: 1e-2, relErr: 1e-9 },
      { eps: 1e-3, relErr: 0 },
      { eps: 1e-4, relErr: 0 },
      { eps: 1e-5, relErr: 1e-4 },
    ];
    const chart = plain(() => formatUCurve(sweep, 1e-7));
    const count = (marker: string) => chart.split(marker).length - 1;
    expect(count(MARKERS.minimum), chart).toBe(2); // the point and the legend
    expect(count(MARKERS.within), chart).toBe(2); // 1e-9 and the legend
    expect(count(MARKERS.above), chart).toBe(3); // 1e-2, 1e-4 and the legend
    expect(count(MARKERS.offChart), chart).toBe(2); // the second zero and the legend
    expect(chart).toContain('▼ error 0 or below 1e-9');
    const rows = chart.split('\n');
    expect(rows.find((row) => row.includes(MARKERS.within))).toMatch(/^ +1e-9 ┤/);
    expect(rows.find((row) => row.includes(MARKERS.minimum))).toMatch(/^below ┤/);
    expect(rows.find((row) => row.includes('┼'))).toMatch(/^ +1e-7 ┼┄+ tolerance 1e-7$/);
    // The band, drawn as a double rule on the axis: 1e-2, 1e-3 and 1e-4, next to the minimum.
    expect(rows.find((row) => row.includes('└'))!.split('╪')).toHaveLength(4);
  });
});

describe('the HTML sweep page', () => {
  it('a curve of twelve points per input, the minimum ringed, and a row per step', () => {
    const tanh = sweepOf('tanh');
    const html = formatHtml({ passed: true, tolerance: 1e-7, seed: 0, ops: [tanh] }, { title: 'gradcheck sweep' });
    expect(html).toContain('<title>gradcheck sweep</title>');
    expect(html.match(/<circle class="point (ok|bad)( current)?"/g)).toHaveLength(12);
    expect(/<polyline class="curve" points="([^"]*)"/.exec(html)![1].trim().split(/\s+/)).toHaveLength(12);
    expect(html).toMatch(/<text class="minimum-label"[^>]*>min \S+ at ε 1e-(5|6)<\/text>/);
    expect(/<table class="sweep">.*?<tbody>(.*?)<\/tbody>/s.exec(html)![1].match(/<tr>/g)).toHaveLength(12);
    expect(html).toContain('Curves: the largest element-wise relative error at each step ε.');
  });
});
