// `gradcheck sweep` through the real CLI: --op and --eps reach the sweep, the chart is printed
// without colour into a pipe, and an unknown op is a usage error. The sweep's numbers are tested in
// process (test/check/sweep.test.ts), the chart and the page too (test/report/sweep.test.ts).
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { FIXTURES, gradcheck } from '../report/cli.ts';

const smooth = join(FIXTURES, 'smooth.ts');

describe('gradcheck sweep', { concurrent: true, timeout: 60_000 }, () => {
  it('sweeps the op --op names over the steps --eps lists, and prints its chart; exit 0', async () => {
    const { code, stdout, stderr } = await gradcheck(['sweep', smooth, '--op', 'sin', '--eps', '1e-2,1e-4,1e-5,1e-6,1e-8,1e-10']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/PASS\s+sin/);
    expect(stdout).not.toContain('tanh');
    expect(stdout).toContain('input x [16]');
    expect(stdout).toMatch(/1e-10 +1e-8 +1e-6 +1e-5 +1e-4 +1e-2 +ε/);
    expect(stdout).toMatch(/recommended ε = 1e-(5|6)/);
    expect(stdout).not.toMatch(/\x1b\[/);
  });

  it('says which ops exist when --op names none of them', async () => {
    const { code, stderr } = await gradcheck(['sweep', smooth, '--op', 'cosh']);
    expect(code).toBe(2);
    expect(stderr).toContain("no op named 'cosh'");
    expect(stderr).toContain('ops: tanh, exp, sin');
  });
});
