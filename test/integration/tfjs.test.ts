// gradcheck/tfjs: tfjs functions checked against tfjs's own gradients, in float32.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { gradcheck } from '../../src/api.ts';
import { formatReportPlain } from '../../src/adapters/matchers.ts';
import { tfjsOp } from '../../src/adapters/tfjs.ts';
import { FLOAT32_TOLERANCE } from '../../src/model/defaults.ts';
import { checkFile, plain } from '../helpers/in-process.ts';
import { formatOpTable } from '../../src/report/table.ts';

// softplus with a hand-written gradient: sigmoid(x), and the classic slip of using exp(x) instead.
function softplus(gradient: (x: tf.Tensor) => tf.Tensor) {
  return tf.customGrad((x, save) => {
    (save as tf.GradSaveFunc)([x as tf.Tensor]);
    return {
      value: tf.softplus(x as tf.Tensor),
      gradFunc: (dy, saved) => [tf.mul(dy as tf.Tensor, gradient(saved[0]))],
    };
  }) as (x: tf.Tensor) => tf.Tensor;
}
const rightSoftplus = softplus((x) => tf.sigmoid(x));
const wrongSoftplus = softplus((x) => tf.exp(x));

describe('tfjsOp', () => {
  it('passes a correct tf.customGrad and reports float32 with the float32 tolerance', async () => {
    const op = tfjsOp({ tf, name: 'softplus', inputs: { x: [3, 4] }, forward: ({ x }) => rightSoftplus(x) });
    const report = await gradcheck(op);
    expect(report.status, formatReportPlain(report)).toBe('pass');
    expect(report.precision).toBe('float32');
    expect(report.tolerance).toBe(FLOAT32_TOLERANCE);
  });

  it('fails a wrong tf.customGrad gradient, far above the tolerance', async () => {
    const op = tfjsOp({ tf, name: 'wrong softplus', inputs: { x: [3, 4] }, forward: ({ x }) => wrongSoftplus(x) });
    const report = await gradcheck(op);
    expect(report.status).toBe('fail');
    expect(report.maxRelErr).toBeGreaterThan(10 * report.tolerance);
    expect(report.inputs[0].passed).toBe(false);
  });

  const builtIns = [
    tfjsOp({ tf, name: 'softmax, last axis', inputs: { x: [4, 5] }, forward: ({ x }) => tf.softmax(x, -1) }),
    tfjsOp({ tf, name: 'logSumExp, axis 0', inputs: { x: [4, 5] }, forward: ({ x }) => tf.logSumExp(x, 0) }),
    tfjsOp({ tf, name: 'mean of tanh, middle axis', inputs: { x: [3, 4, 5] }, forward: ({ x }) => tf.mean(tf.tanh(x), 1) }),
    tfjsOp({ tf, name: 'max, axis 0', inputs: { x: [4, 5] }, forward: ({ x }) => tf.max(x, 0) }),
    tfjsOp({ tf, name: 'cumsum of exp, axis 1', inputs: { x: [3, 6] }, forward: ({ x }) => tf.cumsum(tf.exp(x), 1) }),
    tfjsOp({
      tf,
      name: 'sigmoid(a·b + c), broadcast bias',
      inputs: { a: [3, 4], b: [4, 2], c: { shape: [2], low: -0.5, high: 0.5 } },
      forward: ({ a, b, c }) => tf.sigmoid(tf.add(tf.matMul(a, b), c)),
    }),
    tfjsOp({
      tf,
      name: 'layer norm, last axis',
      inputs: { x: [4, 8] },
      forward: ({ x }) => {
        const { mean, variance } = tf.moments(x, -1, true);
        return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5)));
      },
    }),
  ];
  it.each(builtIns.map((op) => [op.name, op] as const))('passes tfjs built-in %s', async (_, op) => {
    const report = await gradcheck(op);
    expect(report.status, formatReportPlain(report)).toBe('pass');
  });

  it('reports a forward that throws as the op error, naming it', async () => {
    const op = tfjsOp({ tf, name: 'bad shapes', inputs: { a: [3, 4], b: [3, 4] }, forward: ({ a, b }) => tf.matMul(a, b) });
    const report = await gradcheck(op);
    expect(report.status).toBe('error');
    expect(report.error).toMatch(/evaluate threw: .*matMul/i);
  });

  it('from an op file: the table prints the float32 tolerance beside a tfjs op, and not beside a float64 one', async () => {
    const ops = await checkFile('test/fixtures/packaged/ops.ts');
    expect(ops.map((op) => [op.name, op.status, op.precision])).toEqual([
      ['tanh', 'pass', 'float64'],
      ['tfjs softmax', 'pass', 'float32'],
    ]);
    const [tanh, softmax] = ops.map((op) => plain(() => formatOpTable(op)).split('\n')[0]);
    expect(softmax).toMatch(/PASS\s+tfjs softmax\s+\S+ops\.ts:\d+ .*float32, tolerance 1e-4/);
    expect(tanh).toMatch(/PASS\s+tanh\s+\S+ops\.ts:\d+/);
    expect(tanh).not.toMatch(/float32/);
  });

  it('refuses something that is not the tf namespace', () => {
    expect(() => tfjsOp({ tf: {} as typeof tf, name: 'x', inputs: { x: [2] }, forward: ({ x }) => x })).toThrow(/`tf` must be the tfjs namespace/);
  });
});
