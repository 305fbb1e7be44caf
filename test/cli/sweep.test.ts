import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { FIXTURES, gradcheck } from '../report/cli.ts';

const smooth = join(FIXTURES, 'smooth.ts');

interface SweepJson {
  passed: boolean;
  ops: { name: string; status: string; inputs: { name: string; shape: number[]; sweep: { eps: number; relErr: number }[]; minimum: { eps: number; relErr: number }; band: { largestEps: number; smallestEps: number } | null; recommendedEps: number }[] }[];
}

describe('gradcheck sweep', { timeout: 60_000 }, () => {
  it('finds the bottom of the U-curve at 1e-5 or 1e-6 for tanh, exp and sin', async () => {
    const { code, stdout } = await gradcheck(['sweep', smooth, '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as SweepJson;
    expect(report.ops.map((op) => op.name)).toEqual(['tanh', 'exp', 'sin']);
    for (const op of report.ops) {
      const [input] = op.inputs;
      expect([1e-5, 1e-6], `${op.name}'s minimum`).toContain(input.minimum.eps);
      expect(input.recommendedEps).toBe(input.minimum.eps);
      expect(input.sweep).toHaveLength(12);
      // A U: both ends of the sweep are far worse than the bottom.
      expect(input.sweep[0].relErr).toBeGreaterThan(1e3 * input.minimum.relErr);
      expect(input.sweep[11].relErr).toBeGreaterThan(1e3 * input.minimum.relErr);
      expect(input.band!.largestEps).toBeGreaterThanOrEqual(input.minimum.eps);
      expect(input.band!.smallestEps).toBeLessThanOrEqual(input.minimum.eps);
    }
  });

  it('draws the chart and names the band and the step to use', async () => {
    const { code, stdout } = await gradcheck(['sweep', smooth, '--op', 'sin', '--eps', '1e-2,1e-4,1e-5,1e-6,1e-8,1e-10']);
    expect(code).toBe(0);
    expect(stdout).not.toContain('tanh');
    expect(stdout).toContain('input x [16]');
    expect(stdout).toMatch(/◆ minimum/);
    expect(stdout).toMatch(/┼┄+.*tolerance 1e-7/);
    expect(stdout).toMatch(/minimum \S+ at ε = 1e-(5|6); within tolerance 1e-7 for ε from 1e-\d+ down to 1e-\d+; recommended ε = 1e-(5|6)/);
    expect(stdout).not.toMatch(/\x1b\[/);
  });

  it('says which ops exist when --op names none of them', async () => {
    const { code, stderr } = await gradcheck(['sweep', smooth, '--op', 'cosh']);
    expect(code).toBe(2);
    expect(stderr).toContain("no op named 'cosh'");
    expect(stderr).toContain('ops: tanh, exp, sin');
  });
});
