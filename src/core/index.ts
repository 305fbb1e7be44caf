export { Tensor, tensor, zeros, ones, scalar, type NestedArray } from './tensor.ts';
export { noGrad, isGradEnabled } from './autograd.ts';
export { GradientShapeError, GradientCountError } from './errors.ts';
export { ShapeError, broadcastShapes, formatShape } from './shape.ts';
export { sumToShape, expand } from '../ops/reduce.ts';
export { crossEntropy } from '../ops/nn.ts';
export { where } from '../ops/elementwise.ts';
export { concat, stack } from '../ops/movement.ts';
export { customOp, type CustomOpSpec, type MultiOutputCustomOpSpec } from '../ops/custom.ts';
