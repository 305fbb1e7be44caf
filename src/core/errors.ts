import { formatShape } from './shape.ts';

/** A backward returned a gradient whose shape differs from its input's shape. */
export class GradientShapeError extends Error {
  override name = 'GradientShapeError';
  constructor(
    readonly op: string,
    readonly input: string,
    readonly inputIndex: number,
    readonly expected: number[],
    readonly actual: number[],
    label: string = op,
  ) {
    super(
      `${label}: backward returned a gradient of shape ${formatShape(actual)} for input '${input}', ` +
        `which has shape ${formatShape(expected)}`,
    );
  }

  /** The tensor the gradient was for: lets a checker say which of its own inputs that was. */
  tensor?: unknown;
}

/** A backward returned a different number of gradients than its op has inputs. */
export class GradientCountError extends Error {
  override name = 'GradientCountError';
  constructor(
    readonly op: string,
    readonly expected: number,
    readonly actual: number,
    label: string = op,
  ) {
    super(
      `${label}: backward returned ${actual} gradient${actual === 1 ? '' : 's'} ` +
        `for ${expected} input${expected === 1 ? '' : 's'} (use null for an input without a gradient)`,
    );
  }
}
