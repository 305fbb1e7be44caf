// The HTML report of `gradcheck sweep --html` in a real headless Chromium: it opens offline, the
// U-curves are drawn, and a screenshot is taken. GRADCHECK_UPDATE_DOCS=1 also writes the README's
// screenshot under docs/. What the page holds is tested in process (reporters.test.ts).
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { FIXTURES, REPO, gradcheck } from './cli.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.log(`skipping the HTML report screenshot: ${CHROMIUM} is absent (apt-get install chromium)`);

describe('--html report', { timeout: 120_000 }, () => {
  it.skipIf(!hasChromium)('opens in headless Chromium with the U-curves drawn, and takes a screenshot', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradcheck-html-'));
    const file = join(dir, 'sweep.html');
    const { code } = await gradcheck(['sweep', join(FIXTURES, 'smooth.ts'), '--op', 'tanh', '--html', file]);
    expect(code).toBe(0);
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 900, height: 700 }, deviceScaleFactor: 1 });
      const requests: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      await page.goto(pathToFileURL(file).href);
      expect(requests.filter((url) => !url.startsWith('file:'))).toEqual([]);
      const svg = page.locator('svg').first();
      const box = await svg.boundingBox();
      expect(box!.width).toBeGreaterThan(300);
      expect(box!.height).toBeGreaterThan(150);
      // Twelve steps drawn as twelve points on one curve, the minimum ringed at ε = 1e-5 or 1e-6.
      expect(await page.locator('svg circle.point').count()).toBe(12);
      const curve = await page.locator('svg polyline.curve').getAttribute('points');
      expect(curve!.trim().split(/\s+/)).toHaveLength(12);
      expect(await page.locator('svg .minimum-label').textContent()).toMatch(/at ε 1e-(5|6)/);
      expect(await page.locator('table.sweep tbody tr').count()).toBe(12);
      const screenshot = join(dir, 'sweep.png');
      await page.screenshot({ path: screenshot, fullPage: true });
      expect(statSync(screenshot).size).toBeGreaterThan(10_000);
      if (process.env.GRADCHECK_UPDATE_DOCS) {
        // The README's picture: a passing op and a broken one, as `run --html` shows them.
        const report = join(dir, 'run.html');
        await gradcheck(['run', 'examples/tanh.ts', 'examples/broken/gelu-constant.ts', '--html', report]);
        await page.setViewportSize({ width: 1000, height: 900 });
        await page.goto(pathToFileURL(report).href);
        await page.screenshot({ path: join(REPO, 'docs', 'html-report.png') });
      }
    } finally {
      await browser.close();
    }
  });
});
