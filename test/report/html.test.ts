// The HTML report in a real headless Chromium: it opens offline, the U-curves are drawn, and the ε
// control moves (keyboard, input events, clicks) and shows the data of the step it is at.
// GRADCHECK_UPDATE_DOCS=1 also writes the README's screenshots under docs/.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import type { SweepReport } from '../../src/model/report.ts';
import { formatExp, formatShape, formatValue } from '../../src/report/format.ts';
import { formatHtml } from '../../src/report/html.ts';
import type { DetailedInputSweep } from '../../src/report/step-detail.ts';
import { FIXTURES, REPO, gradcheck } from './cli.ts';
import { exponentialsSweep, sweepReport } from './detailed-report.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.log(`skipping the HTML report in Chromium: ${CHROMIUM} is absent (apt-get install chromium)`);
const updateDocs = Boolean(process.env.GRADCHECK_UPDATE_DOCS);

async function withPage(use: (page: Page, browser: Browser) => Promise<void>): Promise<void> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 }, deviceScaleFactor: 1 });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('request', (request) => requests.push(request.url()));
    await use(page, browser);
    expect(errors).toEqual([]);
    expect(requests.filter((url) => !url.startsWith('file:'))).toEqual([]);
  } finally {
    await browser.close();
  }
}

/** The little of a canvas the test reads (the project's types have no DOM). */
interface Canvas {
  width: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } };
}

/** What the first ε control shows now. */
async function shown(page: Page) {
  const scrub = page.locator('.scrub').first();
  return {
    step: Number(await scrub.locator('input[type=range]').inputValue()),
    eps: await scrub.locator('.eps').textContent(),
    err: await scrub.locator('.err').textContent(),
    worst: await scrub.locator('.worst').textContent(),
    above: await scrub.locator('.above').textContent(),
    current: await page.locator('svg.curve circle.current').first().getAttribute('data-step'),
  };
}

/** What the control should show at the step at position `i` of the ascending steps. */
function expected(input: DetailedInputSweep, tolerance: number, i: number) {
  const point = [...input.sweep].sort((a, b) => a.eps - b.eps)[i];
  const above = point.errors!.filter((e) => e > tolerance).length;
  return {
    step: i,
    eps: formatExp(point.eps, 0),
    err: formatExp(point.relErr),
    worst: `worst element ${formatShape(point.worst!.index)}: analytic ${formatValue(point.worst!.analytic)}, numeric ${formatValue(point.worst!.numeric)}`,
    above: `${above} of ${point.errors!.length} elements above the tolerance`,
    current: String(i),
  };
}

describe('--html report', { timeout: 120_000 }, () => {
  it('is one self-contained file: inline style and script only, no external fonts, stylesheets, scripts or images', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradcheck-html-'));
    const file = join(dir, 'run.html');
    const { code } = await gradcheck(['run', join(FIXTURES, 'mixed.ts'), '--html', file]);
    expect(code).toBe(2);
    const html = readFileSync(file, 'utf8');
    expect(html).not.toMatch(/<link|@import|@font-face|url\(|src=/i);
    expect(html.match(/<script[^>]*>/g)).toEqual(['<script type="application/json" id="gradcheck-steps">', '<script>']);
    expect(html).toContain('<svg');
    expect(html).toContain('wrong sigmoid');
    expect(html).toContain('evaluate threw: boom');
    expect(html).toMatch(/mismatch.*\(x\)/);
  });

  it.skipIf(!hasChromium)('a real sweep: the curves are drawn, and at each step the control shows the error, the worst element and the count above the tolerance that --json reports there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradcheck-html-'));
    const file = join(dir, 'sweep.html');
    const { code, stdout } = await gradcheck(['sweep', join(FIXTURES, 'smooth.ts'), '--op', 'tanh', '--html', file, '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as SweepReport;
    const input = report.ops[0].inputs[0] as DetailedInputSweep;
    const steps = [...input.sweep].sort((a, b) => a.eps - b.eps);
    // Every step carries what the page shows: the worst element and every element's error.
    for (const step of steps) {
      expect(step.errors).toHaveLength(input.shape.reduce((n, d) => n * d, 1));
      expect(Math.max(...step.errors!)).toBe(step.relErr);
    }
    await withPage(async (page) => {
      await page.goto(pathToFileURL(file).href);
      const box = await page.locator('svg.curve').first().boundingBox();
      expect(box!.width).toBeGreaterThan(300);
      expect(box!.height).toBeGreaterThan(150);
      // Twelve steps drawn as twelve points on one curve, the minimum ringed at ε = 1e-5 or 1e-6.
      expect(await page.locator('svg circle.point').count()).toBe(12);
      const curve = await page.locator('svg polyline.curve').getAttribute('points');
      expect(curve!.trim().split(/\s+/)).toHaveLength(12);
      expect(await page.locator('svg .minimum-label').textContent()).toMatch(/at ε 1e-(5|6)/);
      expect(await page.locator('table.sweep tbody tr').count()).toBe(12);
      const start = steps.findIndex((point) => point.eps === input.recommendedEps);
      expect(await shown(page)).toEqual(expected(input, report.tolerance, start));
      await page.locator('.scrub input[type=range]').focus();
      await page.keyboard.press('ArrowLeft');
      expect(await shown(page)).toEqual(expected(input, report.tolerance, start - 1));
      await page.keyboard.press('Home');
      expect(await shown(page)).toEqual(expected(input, report.tolerance, 0));
      const screenshot = join(dir, 'sweep.png');
      await page.screenshot({ path: screenshot, fullPage: true });
      expect(statSync(screenshot).size).toBeGreaterThan(10_000);
    });
  });

  it('keeps a plain sweep\'s JSON small: per-step detail only with --html', async () => {
    const { stdout } = await gradcheck(['sweep', join(FIXTURES, 'smooth.ts'), '--op', 'tanh', '--json']);
    const input = (JSON.parse(stdout) as SweepReport).ops[0].inputs[0];
    expect(input.sweep.every((step) => step.errors === undefined && step.worst === undefined)).toBe(true);
  });

  it.skipIf(!hasChromium)('with per-step detail: the control moves by keyboard, input events and clicks, and shows that step’s error, worst element and element map', async () => {
    const tolerance = 1e-7;
    const input = exponentialsSweep(8, 12, tolerance);
    const report = sweepReport([input], tolerance);
    const dir = mkdtempSync(join(tmpdir(), 'gradcheck-html-'));
    const file = join(dir, 'detail.html');
    writeFileSync(file, formatHtml(report, { title: 'gradcheck sweep' }));
    const steps = [...input.sweep].sort((a, b) => a.eps - b.eps);
    const start = steps.findIndex((point) => point.eps === input.recommendedEps);
    await withPage(async (page) => {
      await page.goto(pathToFileURL(file).href);
      expect(await shown(page)).toEqual(expected(input, tolerance, start));

      const slider = page.locator('.scrub input[type=range]');
      await slider.focus();
      await page.keyboard.press('ArrowRight');
      expect(await shown(page)).toEqual(expected(input, tolerance, start + 1));
      await page.keyboard.press('ArrowLeft');
      await page.keyboard.press('ArrowLeft');
      expect(await shown(page)).toEqual(expected(input, tolerance, start - 1));
      await page.keyboard.press('End');
      expect(await shown(page)).toEqual(expected(input, tolerance, steps.length - 1));
      await page.keyboard.press('Home');
      expect(await shown(page)).toEqual(expected(input, tolerance, 0));
      await slider.fill('3'); // sets the value and dispatches input, as a drag does
      expect(await shown(page)).toEqual(expected(input, tolerance, 3));
      await page.locator('svg.curve circle[data-step="9"]').click({ force: true });
      expect(await shown(page)).toEqual(expected(input, tolerance, 9));
      expect(await page.locator('.scrub .side').textContent()).toBe('truncation side: ε above the minimum');

      // The element map at the truncation-side step 1e-3: the rows of large k are above the
      // tolerance (red), the first rows within it (green).
      const errors = steps[9].errors!;
      const cell = (row: number, col: number) =>
        page.locator('canvas.heat').evaluate((element, [r, c]): number[] => {
          const canvas = element as unknown as Canvas;
          const size = canvas.width / 12;
          return Array.from(canvas.getContext('2d').getImageData(c * size + size / 2, r * size + size / 2, 1, 1).data).slice(0, 3);
        }, [row, col]);
      const [bottom, top] = [await cell(7, 0), await cell(0, 0)];
      expect(errors[7 * 12]).toBeGreaterThan(tolerance);
      expect(bottom[0]).toBeGreaterThan(bottom[1]);
      expect(errors[0]).toBeLessThan(tolerance);
      expect(top[1]).toBeGreaterThan(top[0]);
      // One histogram bar per decade of error, plus zeros and non-finite; the bars drawn are the decades holding errors.
      const decades = new Set(errors.map((e) => Math.floor(Math.log10(e))));
      const heights = await page.locator('svg.histogram rect.bar').evaluateAll((bars) => bars.map((bar) => Number(bar.getAttribute('height'))));
      expect(heights.filter((h) => h > 0)).toHaveLength(decades.size);

      if (updateDocs) {
        // The README's picture: the cancellation side, where the columns of small gradients have left the tolerance.
        await slider.fill(String(steps.findIndex((point) => point.eps === 1e-6)));
        await page.setViewportSize({ width: 1000, height: 560 });
        await page.locator('section.op').screenshot({ path: join(REPO, 'docs', 'html-interactive.png') });
      }
    });
  });

  it.skipIf(!hasChromium || !updateDocs)('writes the README’s picture of a run report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradcheck-html-'));
    const report = join(dir, 'run.html');
    await gradcheck(['run', 'examples/tanh.ts', 'examples/broken/gelu-constant.ts', '--html', report]);
    await withPage(async (page) => {
      await page.setViewportSize({ width: 1000, height: 900 });
      await page.goto(pathToFileURL(report).href);
      await page.screenshot({ path: join(REPO, 'docs', 'html-report.png') });
    });
  });
});
