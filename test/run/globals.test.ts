// The comparison a worker makes after each file (src/run/globals.ts): what it names, and what it
// must not mistake for a change.
import { afterEach, describe, expect, it } from 'vitest';
import * as gradcheck from '../../src/index.ts';
import { changedGlobals, snapshotGlobals } from '../../src/run/globals.ts';

const restore: (() => void)[] = [];
afterEach(() => restore.splice(0).reverse().forEach((undo) => undo()));

describe('changedGlobals', () => {
  it('sees nothing when nothing changed, even after lazy globals were first used', () => {
    const snapshot = snapshotGlobals([gradcheck]);
    // Node defines these as getters that store their value on first use.
    void globalThis.crypto;
    void globalThis.fetch;
    void globalThis.structuredClone;
    expect(changedGlobals(snapshot)).toEqual([]);
  });

  it('names a replaced method, a new global, a prototype change, an environment variable and gradcheck\'s own classes', () => {
    const snapshot = snapshotGlobals([gradcheck]);
    const abs = Math.abs;
    Math.abs = () => 0;
    restore.push(() => (Math.abs = abs));
    (globalThis as Record<string, unknown>).leakedByAnOpFile = 1;
    restore.push(() => delete (globalThis as Record<string, unknown>).leakedByAnOpFile);
    Object.defineProperty(Array.prototype, 'sumAll', { value: () => 0, configurable: true });
    restore.push(() => delete (Array.prototype as unknown as Record<string, unknown>).sumAll);
    process.env.GRADCHECK_TEST_LEAK = '1';
    restore.push(() => delete process.env.GRADCHECK_TEST_LEAK);
    const sum = gradcheck.Tensor.prototype.sum;
    gradcheck.Tensor.prototype.sum = function (this: gradcheck.Tensor, ...args: Parameters<typeof sum>) {
      return sum.apply(this, args);
    };
    restore.push(() => (gradcheck.Tensor.prototype.sum = sum));
    expect(changedGlobals(snapshot).sort()).toEqual(['Array.prototype.sumAll', 'Math.abs', 'Tensor.prototype.sum', 'globalThis.leakedByAnOpFile', 'process.env.GRADCHECK_TEST_LEAK'].sort());
    restore.splice(0).reverse().forEach((undo) => undo());
    expect(changedGlobals(snapshot)).toEqual([]);
  });
});
