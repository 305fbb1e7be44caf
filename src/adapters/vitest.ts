// `import 'gradcheck/vitest'` (in a test file or in vitest's setupFiles) registers
// `await expect(op).toPassGradcheck(options?)`.
//
// The augmentation below merges into `Assertion`, which vitest re-exports from @vitest/expect. tsc
// drops the value import of `expect` from the emitted declarations, and a .d.ts that augments
// 'vitest' without importing it merges only when the program has already loaded vitest's types
// (a test file importing 'gradcheck/vitest' before 'vitest' then loses the matcher, and so does
// every other file of the program). The side-effect import is kept in the declarations, so vitest's
// types are loaded first whatever the import order.
import 'vitest';
import { expect } from 'vitest';
import { gradcheckMatchers } from './matchers.ts';
import type { CheckOptions } from '../model/options.ts';

expect.extend(gradcheckMatchers);

export { gradcheckMatchers, formatReportPlain } from './matchers.ts';
export type { MatcherResult } from './matchers.ts';

// Only on `Assertion`: the check is async, and vitest's asymmetric matchers (expect.toPassGradcheck()
// inside toEqual) are evaluated synchronously, so declaring one there would type-check and never pass.
declare module 'vitest' {
  interface Assertion<T = any> {
    /** Checks the op's backward against centered differences; reject with the CLI's table on failure. */
    toPassGradcheck(options?: CheckOptions): Promise<void>;
  }
}
