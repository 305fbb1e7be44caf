// What crosses from the checking thread to its helper threads (split.ts → helper-side.ts). Types
// only, so that both sides share them without importing each other.
import type { CheckSettings } from '../prepare.ts';
import type { Method } from '../../model/report.ts';
import type { SharedGradientLayout } from './shared-gradient.ts';

/** What a helper is started with (its workerData): the op file it loads. */
export interface HelperStart {
  role: typeof HELPER_ROLE;
  /** The op file, absolute. */
  file: string;
}

export const HELPER_ROLE = 'gradcheck element-wise helper';

/** The op whose differences the next tasks ask for: rebuild its φ as the checking thread built it. */
export interface OpMessage {
  type: 'op';
  /** Told apart from the ops before it, which tasks name. */
  id: number;
  /** The op's index among loadOps' answer for the file; undefined: the one op of the file with this name. */
  index?: number;
  name: string;
  /** The settings the op is checked with: prepare draws the same inputs and cotangent from them. */
  settings: CheckSettings;
  /**
   * The checking thread's inputs as drawn, f there and the cotangent: a helper whose own differ
   * (the file changed on disk since, an op that draws differently per thread) takes no part.
   */
  expected: { inputs: Float64Array[]; output: Float64Array; cotangent: Float64Array };
}

/** One numeric gradient to share: input `input` of op `op` differenced at `eps` by `method`, at the point drawn (which the op message's `expected` holds). */
export interface DifferencesTask {
  type: 'differences';
  op: number;
  input: number;
  eps: number;
  method: Method;
  shared: SharedGradientLayout;
}

export type HelperMessage = OpMessage | DifferencesTask;
