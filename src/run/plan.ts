// What a run does with one op before and after the checker: the config's settings for ops of its
// name, `skip` (never run, reported as skipped) and `expect: 'fail'` (a failure parked as vitest's
// it.fails parks a test). One function for the CLI's workers and the library alike, so that an op
// means the same wherever it is checked.
import { checkOp } from '../check/check-op.ts';
import type { Op } from '../spec/define.ts';
import { materializeInputs, OpSpecError } from '../spec/inputs.ts';
import { checkSpecKeys, skipReason } from '../spec/keys.ts';
import { fileErrorReport } from '../model/build.ts';
import { DEFAULT_EXPLORE_POINTS, toleranceFor } from '../model/defaults.ts';
import type { CheckOptions } from '../model/options.ts';
import type { OpReport } from '../model/report.ts';
import { matchesPattern } from '../model/selection.ts';
import type { OpOverrides } from '../load/config.ts';

/** The config's per-op settings, in its order: a later pattern wins over an earlier one. */
export type OpOverrideList = readonly ({ pattern: string } & OpOverrides)[];

/** The settings the config gives the op named `name`, merged in order. */
export function overridesFor(name: string, overrides: OpOverrideList | undefined): OpOverrides {
  const merged: OpOverrides = {};
  for (const { pattern, ...settings } of overrides ?? []) if (matchesPattern(name, pattern)) Object.assign(merged, settings);
  return merged;
}

/** The run's options for one op: the config's settings for its name win over the run's (its own spec wins over both, in the checker). */
export function optionsFor(options: CheckOptions, overrides: OpOverrides): CheckOptions {
  const { skip: _skip, expect: _expect, explore, ...settings } = overrides;
  const merged: CheckOptions = { ...options, ...settings };
  // explore: true is the default number of points; false is none beyond a plain run's.
  if (explore === false) delete merged.explore;
  else if (explore !== undefined) merged.explore = explore === true ? DEFAULT_EXPLORE_POINTS : explore;
  return merged;
}

/** What the run does with one op: report a broken key, skip it, or check it with these options and this expectation. */
export type Plan = { error: string } | { skip: string; options: CheckOptions } | { options: CheckOptions; expect?: 'fail' | 'pass' };

export function planFor(op: Op, options: CheckOptions, overrides?: OpOverrideList): Plan {
  const settings = overridesFor(op.name, overrides);
  const spec = op.spec ?? {};
  try {
    if (spec !== null && typeof spec === 'object') checkSpecKeys(spec);
  } catch (error) {
    return { error: (error as Error).message };
  }
  const opOptions = optionsFor(options, settings);
  const skip = skipReason(spec.skip) ?? skipReason(settings.skip);
  if (skip !== undefined) return { skip, options: opOptions };
  return { options: opOptions, expect: spec.expect ?? settings.expect };
}

/**
 * Checks `op` as the run plans it: its keys checked (a typo is the op's error, naming the key),
 * skipped when its spec or the config says so, checked with the config's settings for its name, and
 * its expectation applied to the verdict.
 */
export function checkPlanned(op: Op, options: CheckOptions, file: string, overrides?: OpOverrideList): OpReport {
  const plan = planFor(op, options, overrides);
  if ('error' in plan) return { ...fileErrorReport(file, plan.error, undefined, options), name: op.name, line: op.location?.line };
  if ('skip' in plan) return skippedReport(op, file, plan.skip, plan.options);
  const report = checkOp(op, plan.options, file);
  return plan.expect === 'fail' ? expectFailure(report, () => isSpecError(op, plan.options)) : report;
}

export function skippedReport(op: Op, file: string, reason: string, options: CheckOptions): OpReport {
  const { error: _none, stack: _stack, ...empty } = fileErrorReport(file, '', undefined, options);
  const precision = op.spec?.precision ?? 'float64';
  return { ...empty, name: op.name, line: op.location?.line, status: 'skipped', skip: reason, precision, tolerance: toleranceFor(precision, op.spec?.tolerance, options.tolerance) };
}

/**
 * An op expected to fail: a failing check, or a throw of the op's own code, is a pass that keeps
 * its diagnosis; a check that passes fails the run, saying the mark can come off. An op that could
 * not be checked at all (a broken spec) stays an error: that is no verdict on its gradient.
 */
export function expectFailure(report: OpReport, specError: () => boolean): OpReport {
  if (report.status === 'pass') {
    const message = "the op is marked expect: 'fail', but its check passed: the gradient is right now (or the failure lies beyond this seed); remove expect: 'fail'";
    return { ...report, status: 'fail', expect: 'fail', outcome: 'pass', diagnoses: [...report.diagnoses, { code: 'unexpected-pass', message }] };
  }
  if (report.status === 'fail' || (report.status === 'error' && !specError())) return { ...report, status: 'pass', expect: 'fail', outcome: report.status };
  return report;
}

/** Whether the op's spec itself is broken (its inputs cannot be drawn): the checker reports that as an error like a throw of the op's code. */
function isSpecError(op: Op, options: CheckOptions): boolean {
  try {
    materializeInputs(op, options.seed ?? 0);
    return false;
  } catch (error) {
    return error instanceof OpSpecError;
  }
}
