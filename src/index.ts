// gradcheck's public API: what op files and test suites import from 'gradcheck'.
export {
  Tensor,
  tensor,
  zeros,
  ones,
  crossEntropy,
  where,
  concat,
  stack,
  noGrad,
  isGradEnabled,
  customOp,
  sumToShape,
  broadcastShapes,
  GradientShapeError,
  GradientCountError,
} from './core/index.ts';
export type { NestedArray } from './core/index.ts';
export { defineOp, isOp } from './spec/define.ts';
export type { Op, OpSpec, TensorOpSpec, EngineOpSpec, InputSpec, SourceLocation } from './spec/define.ts';
export { gradcheck, checkFile, checkFiles } from './api.ts';
export type { CheckFilesOptions } from './api.ts';
export { defineConfig } from './load/config.ts';
export type { GradcheckConfig, OpOverrides, ReporterConfig } from './load/config.ts';
export { DEFAULT_EPS, DEFAULT_SEED, DEFAULT_TOLERANCE } from './model/defaults.ts';
export type { CheckOptions } from './model/options.ts';
export type { OpReport, RunReport, InputReport, SweepPoint, Diagnosis, Status, WorstElement } from './model/report.ts';
