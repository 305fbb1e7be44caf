// Every built-in op's backward, checked by gradcheck's own checker (the library API), including
// broadcasting in each binary op and a diamond graph (a node used twice).
import { describe, expect, it } from 'vitest';
import { crossEntropy, defineOp, gradcheck } from '../src/index.ts';
import type { InputSpec, Tensor } from '../src/index.ts';

const positive: InputSpec = { shape: [3, 4], low: 0.5, high: 2 };

const unary: Record<string, [InputSpec, (x: Tensor) => Tensor]> = {
  neg: [[3, 4], (x) => x.neg()],
  'pow(3)': [[3, 4], (x) => x.pow(3)],
  'pow(-1.5)': [positive, (x) => x.pow(-1.5)],
  exp: [[3, 4], (x) => x.exp()],
  log: [positive, (x) => x.log()],
  sqrt: [positive, (x) => x.sqrt()],
  abs: [[3, 4], (x) => x.abs()],
  square: [[3, 4], (x) => x.square()],
  tanh: [[3, 4], (x) => x.tanh()],
  sigmoid: [[3, 4], (x) => x.sigmoid()],
  relu: [[3, 4], (x) => x.relu()],
  'sum()': [[3, 4], (x) => x.sum()],
  'sum(0)': [[3, 4], (x) => x.sum(0)],
  'sum(-1, keepDims)': [[2, 3, 4], (x) => x.sum(-1, true)],
  'sum([0, 2])': [[2, 3, 4], (x) => x.sum([0, 2])],
  'mean(1)': [[2, 3, 4], (x) => x.mean(1)],
  'max()': [[3, 4], (x) => x.max()],
  'max(-1, keepDims)': [[3, 4], (x) => x.max(-1, true)],
  'transpose()': [[3, 4], (x) => x.transpose()],
  'transpose([1, 2, 0])': [[2, 3, 4], (x) => x.transpose([1, 2, 0])],
  'reshape([4, -1])': [[3, 4], (x) => x.reshape([4, -1])],
  'softmax()': [[3, 4], (x) => x.softmax()],
  'softmax(0)': [[3, 4], (x) => x.softmax(0)],
  'logSoftmax()': [[3, 4], (x) => x.logSoftmax()],
  'logSoftmax(0)': [[3, 4], (x) => x.logSoftmax(0)],
  crossEntropy: [[4, 5], (x) => crossEntropy(x, [0, 4, 2, 2])],
};

describe('built-in unary ops, reductions and movement', () => {
  for (const [name, [spec, forward]] of Object.entries(unary)) {
    it(name, async () => {
      const report = await gradcheck(defineOp({ name, inputs: { x: spec }, forward: ({ x }) => forward(x) }));
      expect(report.error).toBeUndefined();
      expect(report.status).toBe('pass');
    });
  }
});

const binary: Record<string, (a: Tensor, b: Tensor) => Tensor> = {
  add: (a, b) => a.add(b),
  sub: (a, b) => a.sub(b),
  mul: (a, b) => a.mul(b),
  div: (a, b) => a.div(b),
};

const broadcastPairs: [number[], number[]][] = [
  [[3, 4], [3, 4]],
  [[3, 4], [4]],
  [[3, 1], [1, 4]],
  [[2, 3, 4], [3, 1]],
  [[4], [2, 3, 4]],
  [[], [3, 4]],
];

describe('binary ops with NumPy broadcasting', () => {
  for (const [name, op] of Object.entries(binary)) {
    for (const [shapeA, shapeB] of broadcastPairs) {
      it(`${name} [${shapeA}] with [${shapeB}]`, async () => {
        // Divisors stay away from zero so that the finite differences stay well conditioned.
        const b: InputSpec = name === 'div' ? { shape: shapeB, low: 0.5, high: 2 } : shapeB;
        const report = await gradcheck(defineOp({ name, inputs: { a: shapeA, b }, forward: ({ a, b }) => op(a, b) }));
        expect(report.status, report.error).toBe('pass');
      });
    }
    it(`${name} with a number`, async () => {
      const report = await gradcheck(defineOp({ name, inputs: { a: [3] }, forward: ({ a }) => op(a, a).add(1).mul(2).sub(0.5).div(3) }));
      expect(report.status).toBe('pass');
    });
  }
});

describe('matmul', () => {
  const cases: [number[], number[]][] = [
    [[3, 4], [4, 5]],
    [[2, 3, 4], [2, 4, 5]],
    [[2, 3, 4], [4, 5]],
    [[3, 4], [2, 4, 5]],
  ];
  for (const [shapeA, shapeB] of cases) {
    it(`[${shapeA}] @ [${shapeB}]`, async () => {
      const report = await gradcheck(defineOp({ name: 'matmul', inputs: { a: shapeA, b: shapeB }, forward: ({ a, b }) => a.matmul(b) }));
      expect(report.status).toBe('pass');
    });
  }
});

describe('graphs', () => {
  it('a diamond: a node used twice gets both contributions', async () => {
    const report = await gradcheck(
      defineOp({
        name: 'diamond',
        inputs: { x: [5] },
        forward: ({ x }) => {
          const h = x.tanh();
          return h.mul(h.exp()).add(h.square());
        },
      }),
    );
    expect(report.status).toBe('pass');
  });

  it('a wrong gradient fails, naming the input and its worst element', async () => {
    const report = await gradcheck(
      defineOp({
        name: 'half of the diamond',
        inputs: { x: [5], y: [5] },
        forward: ({ x, y }) => x.mul(y).add(y.detach().square()),
      }),
    );
    expect(report.status).toBe('fail');
    expect(report.inputs.map((input) => input.passed)).toEqual([true, false]);
    const y = report.inputs[1];
    expect(y.relErr).toBeGreaterThan(1e-3);
    expect(y.worst.index).toHaveLength(1);
  });

  it('is reproducible: the same seed gives the same numbers, another seed other inputs', async () => {
    const op = defineOp({ name: 'mlp', inputs: { x: [2, 3], w: [3, 2] }, forward: ({ x, w }) => x.matmul(w).tanh().sum() });
    const strip = (r: Awaited<ReturnType<typeof gradcheck>>) => ({ ...r, elapsedMs: 0 });
    expect(strip(await gradcheck(op, { seed: 3 }))).toEqual(strip(await gradcheck(op, { seed: 3 })));
    const other = await gradcheck(op, { seed: 4 });
    expect(other.inputs[0].worst.analytic).not.toBe((await gradcheck(op, { seed: 3 })).inputs[0].worst.analytic);
  });
});
