// The op-spec keys the unknown-key check accepts are the spec types' keys: a key a type gains and the
// list lacks fails here (and fails to compile in src/spec/keys.ts), so a real key is never rejected.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { OP_SPEC_KEYS, checkSpecKeys, closest } from '../../src/spec/keys.ts';
import type { EngineOpSpec, OpSpec, TensorOpSpec } from '../../src/spec/define.ts';
import type { TfjsOpSpec } from '../../src/adapters/tfjs.ts';
import type { TorchLikeOpSpec } from '../../src/adapters/torch-like.ts';

type SpecKey = keyof TensorOpSpec<string> | keyof EngineOpSpec<string>;

describe('op spec keys', () => {
  it('are exactly the keys of TensorOpSpec and EngineOpSpec', () => {
    expectTypeOf<(typeof OP_SPEC_KEYS)[number]>().toEqualTypeOf<SpecKey>();
  });

  it("cover the adapters' specs but for their own engine handles (tf, torch, the forward they wrap)", () => {
    expectTypeOf<Exclude<keyof TfjsOpSpec<string, never>, 'tf'>>().toMatchTypeOf<SpecKey>();
    expectTypeOf<keyof TorchLikeOpSpec<string, unknown>>().toMatchTypeOf<SpecKey>();
  });

  it('reject a typo, naming the key it is closest to', () => {
    const spec = { name: 'x', inputs: {}, forward: () => undefined, tolerence: 1e-3 } as unknown as OpSpec;
    expect(() => checkSpecKeys(spec)).toThrow(/^unknown key 'tolerence' \(did you mean 'tolerance'\? an op spec takes name, inputs, /);
    expect(() => checkSpecKeys({ ...spec, tolerence: undefined, zzz: 1 } as unknown as OpSpec)).toThrow(/unknown key 'tolerence'/);
    expect(closest('inptus', OP_SPEC_KEYS)).toBe('inputs');
    expect(closest('banana', OP_SPEC_KEYS)).toBeUndefined();
    expect(() => checkSpecKeys({ name: 'x', inputs: {}, skip: '' } as unknown as OpSpec)).toThrow("`skip` must be a reason (a non-empty string) or true, got ''");
    expect(() => checkSpecKeys({ name: 'x', inputs: {}, expect: 'fails' } as unknown as OpSpec)).toThrow("`expect` must be 'fail' or 'pass', got 'fails'");
  });
});
