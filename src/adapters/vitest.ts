// `import 'gradcheck/vitest'` (in a test file or in vitest's setupFiles) registers
// `await expect(op).toPassGradcheck(options?)`.
import { expect } from 'vitest';
import { gradcheckMatchers } from './matchers.ts';
import type { CheckOptions } from '../check/types.ts';

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
