// expect(op).toPassGradcheck(): what a test-suite user sees, pass or fail.
import { describe, expect, it } from 'vitest';
import '../../src/adapters/vitest.ts';
import { gradcheckMatchers } from '../../src/adapters/vitest.ts';
import { customOp, defineOp } from '../../src/index.ts';

const tanh = defineOp({ name: 'tanh', inputs: { x: [6] }, forward: ({ x }) => x.tanh().sum() });

// The classic slip: d/dx tanh written as 1 - tanh instead of 1 - tanh².
const wrongTanh = customOp({
  name: 'wrongTanh',
  forward: (x) => x.tanh(),
  backward: (grad, { output }) => [grad.mul(output.neg().add(1))],
});
const broken = defineOp({ name: 'broken tanh', inputs: { x: [6] }, forward: ({ x }) => wrongTanh(x).sum() });

async function failureMessage(run: Promise<unknown>): Promise<string> {
  try {
    await run;
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the assertion to fail');
}

describe('toPassGradcheck', () => {
  it('passes a correct op, and .not passes a broken one', async () => {
    await expect(tanh).toPassGradcheck();
    await expect(broken).not.toPassGradcheck();
  });

  it('fails a wrong backward with the CLI table and no colour codes', async () => {
    const message = await failureMessage(expect(broken).toPassGradcheck());
    expect(message).toContain("op 'broken tanh' failed gradcheck");
    expect(message).toMatch(/input .* shape .* best ε .* rel\. error/);
    expect(message).toMatch(/x .*\[6\].*FAIL/);
    expect(message).not.toMatch(/\x1b\[/);
  });

  it('takes the same options as gradcheck()', async () => {
    const message = await failureMessage(expect(broken).toPassGradcheck({ tolerance: 1e-3, seed: 3 }));
    expect(message).toContain('tolerance 1e-3');
  });

  it('says what it expected when given something other than an op', async () => {
    const message = await failureMessage(expect({ name: 'tanh' }).toPassGradcheck());
    expect(message).toContain('expects an op made by defineOp or tfjsOp, got Object');
  });

  it('is a plain matcher object for Jest-style expect.extend', async () => {
    const result = await gradcheckMatchers.toPassGradcheck(broken);
    expect(result.pass).toBe(false);
    expect(result.message()).toContain('rel. error');
  });
});
