// Every backward against an independent reference: centered finite
// differences of the forward alone (float64, eps 1e-6).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Tensor, tensor, noGrad, crossEntropy, customOp } from '../../src/core/index.ts';

const EPS = 1e-6;
const TOL = 1e-6;

/** Deterministic pseudo-random numbers so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function rand(shape: number[], seed: number, { min = -1, max = 1, awayFromZero = 0 } = {}): Tensor {
  const r = rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = min + (max - min) * r();
    if (Math.abs(v) < awayFromZero) v = v < 0 ? -awayFromZero - r() : awayFromZero + r();
    data[i] = v;
  }
  return new Tensor(data, shape, true);
}

function relativeError(a: number, b: number): number {
  // Below magnitude 1 this is an absolute error, so tiny gradients do not blow it up.
  return Math.abs(a - b) / Math.max(1, Math.abs(a), Math.abs(b));
}

function centeredDifference(f: () => number, x: Tensor, i: number): number {
  const orig = x.data[i];
  x.data[i] = orig + EPS;
  const plus = f();
  x.data[i] = orig - EPS;
  const minus = f();
  x.data[i] = orig;
  return (plus - minus) / (2 * EPS);
}

/**
 * Reduces f's output to a scalar with fixed random weights (so every output
 * element matters), backpropagates, and compares each input's gradient with
 * finite differences.
 */
function expectGradientsMatch(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void {
  const out = f(...inputs);
  const w = rand(out.shape, 7).requireGrad(false);
  const loss = (): Tensor => f(...inputs).mul(w).sum();
  inputs.forEach((x) => x.zeroGrad());
  loss().backward();
  const lossValue = (): number => noGrad(() => loss().item());
  inputs.forEach((x, k) => {
    if (!x.requiresGrad) return;
    expect(x.grad, `input ${k} has no gradient`).not.toBeNull();
    expect(x.grad!.shape).toEqual(x.shape);
    for (let i = 0; i < x.size; i++) {
      const numeric = centeredDifference(lossValue, x, i);
      const analytic = x.grad!.data[i];
      if (relativeError(analytic, numeric) > TOL) {
        throw new Error(`input ${k} [${i}]: analytic ${analytic} vs numeric ${numeric}`);
      }
    }
  });
}

describe('elementwise unary', () => {
  const x = () => rand([2, 3], 1);
  it.each([
    ['neg', (t: Tensor) => t.neg()],
    ['exp', (t: Tensor) => t.exp()],
    ['tanh', (t: Tensor) => t.tanh()],
    ['sigmoid', (t: Tensor) => t.sigmoid()],
    ['square', (t: Tensor) => t.square()],
    ['pow 3', (t: Tensor) => t.pow(3)],
    ['pow 0', (t: Tensor) => t.pow(0)],
  ])('%s', (_, f) => expectGradientsMatch(f, [x()]));

  it('log, sqrt, fractional pow on positive inputs', () => {
    const p = rand([2, 3], 2, { min: 0.5, max: 2 });
    expectGradientsMatch((t) => t.log(), [p]);
    expectGradientsMatch((t) => t.sqrt(), [p]);
    expectGradientsMatch((t) => t.pow(-1.5), [p]);
  });

  it('abs and relu away from the kink', () => {
    const k = rand([3, 4], 3, { awayFromZero: 0.1 });
    expectGradientsMatch((t) => t.abs(), [k]);
    expectGradientsMatch((t) => t.relu(), [k]);
  });
});

describe('binary ops with broadcasting', () => {
  const ops: [string, (a: Tensor, b: Tensor) => Tensor][] = [
    ['add', (a, b) => a.add(b)],
    ['sub', (a, b) => a.sub(b)],
    ['mul', (a, b) => a.mul(b)],
    ['div', (a, b) => a.div(b)],
  ];
  // One pair per layout the kernels read the right operand through: the same shape, a tile, a
  // repeat, a scalar, an index map with the output the left operand's shape, and index maps where
  // the output is larger than both.
  const pairs: [number[], number[]][] = [
    [[2, 3], [2, 3]],
    [[2, 3], [3]],
    [[2, 3], [2, 1]],
    [[2, 3], []],
    [[2, 3, 4], [3, 1]],
    [[2, 1], [1, 3]],
    [[3], [2, 4, 1]],
    [[], [2, 3]],
  ];
  for (const [name, f] of ops) {
    it.each(pairs)(`${name} %j with %j`, (sa, sb) => {
      const a = rand(sa, 11);
      const b = rand(sb, 12, { awayFromZero: 0.5 });
      expectGradientsMatch(f, [a, b]);
    });
  }

  it('scalar numbers on either side', () => {
    const a = rand([2, 3], 13, { awayFromZero: 0.5 });
    expectGradientsMatch((t) => t.add(2).sub(0.5).mul(3).div(-1.5), [a]);
  });

  it('only the input that requires grad receives one', () => {
    const a = rand([2, 3], 14);
    const b = rand([3], 15).requireGrad(false);
    expectGradientsMatch((x, y) => x.mul(y), [a, b]);
    expect(b.grad).toBeNull();
  });

  it('fast-check: add/mul backward matches finite differences for random broadcastable shapes', () => {
    // Draw an output shape, then derive each operand by dropping leading dims and setting dims to 1.
    const operand = (out: number[]) =>
      fc.tuple(fc.nat({ max: out.length }), fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }))
        .map(([drop, ones]) => out.map((d, i) => (ones[i] ? 1 : d)).slice(drop));
    const shapes = fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 3 })
      .chain((out) => fc.tuple(operand(out), operand(out)));
    fc.assert(
      fc.property(shapes, fc.integer({ min: 1, max: 1000 }), ([sa, sb], seed) => {
        expectGradientsMatch((a, b) => a.add(b).mul(b), [rand(sa, seed), rand(sb, seed + 1)]);
      }),
      { numRuns: 60 },
    );
  });
});

describe('reductions', () => {
  const x = () => rand([2, 3, 4], 21);
  it.each([
    ['sum all', (t: Tensor) => t.sum()],
    ['sum axis 0', (t: Tensor) => t.sum(0)],
    ['sum axis 1', (t: Tensor) => t.sum(1)],
    ['sum axis -1 keepDims', (t: Tensor) => t.sum(-1, true)],
    ['sum axes [0, 2]', (t: Tensor) => t.sum([0, 2])],
    ['mean all', (t: Tensor) => t.mean()],
    ['mean axis 1', (t: Tensor) => t.mean(1)],
    ['mean axis -2 keepDims', (t: Tensor) => t.mean(-2, true)],
    ['mean axes [0, -1]', (t: Tensor) => t.mean([0, -1])],
    ['max all', (t: Tensor) => t.max()],
    ['max axis 1', (t: Tensor) => t.max(1)],
    ['max axis -1 keepDims', (t: Tensor) => t.max(-1, true)],
    ['max axes [0, 2]', (t: Tensor) => t.max([0, 2])],
  ])('%s', (_, f) => expectGradientsMatch(f, [x()]));

  it('max routes the gradient to the first maximum on ties', () => {
    const t = tensor([[1, 5, 5], [7, 7, 2]]).requireGrad();
    t.max(1).sum().backward();
    expect(t.grad!.toArray()).toEqual([[0, 1, 0], [1, 0, 0]]);
  });
});

describe('matmul and movement', () => {
  it.each([
    [[2, 3], [3, 4]],
    [[2, 2, 3], [2, 3, 4]],
    [[2, 3], [2, 3, 4]],
    [[2, 1, 2, 3], [3, 3, 2]],
    [[3, 2, 3], [3, 4]],
    [[3], [3, 4]],
    [[2, 3], [3]],
    [[3], [3]],
    [[2, 2, 3], [3]],
  ])('matmul %j @ %j', (sa, sb) => expectGradientsMatch((a, b) => a.matmul(b), [rand(sa, 31), rand(sb, 32)]));

  it('transpose default and with axes', () => {
    expectGradientsMatch((t) => t.transpose(), [rand([3, 4], 39)]);
    expectGradientsMatch((t) => t.transpose(), [rand([2, 3, 4], 33)]);
    expectGradientsMatch((t) => t.transpose([1, 2, 0]), [rand([2, 3, 4], 34)]);
    expectGradientsMatch((t) => t.transpose([0, -1, 1]), [rand([2, 3, 4], 35)]);
  });

  it('reshape with -1', () => {
    expectGradientsMatch((t) => t.reshape([-1, 2]).mul(tensor([1, 2])), [rand([2, 3, 2], 36)]);
    expectGradientsMatch((t) => t.reshape([-1]), [rand([2, 3], 37)]);
  });

  it('expand', () => expectGradientsMatch((t) => t.expand([4, 2, 3]), [rand([2, 1], 38)]));
});

describe('softmax family', () => {
  it.each([undefined, 0, -1, 1])('softmax and logSoftmax along axis %s (undefined: the default, the last)', (axis) => {
    expectGradientsMatch((t) => t.softmax(axis), [rand([3, 4], 41)]);
    expectGradientsMatch((t) => t.logSoftmax(axis), [rand([3, 4], 42)]);
  });

  it('crossEntropy', () => {
    expectGradientsMatch((t) => crossEntropy(t, [0, 3, 1]), [rand([3, 4], 43, { min: -3, max: 3 })]);
  });
});

describe('graph structure', () => {
  it('diamond: y = x*x + x', () => expectGradientsMatch((t) => t.mul(t).add(t), [rand([2, 3], 51)]));

  it('a deep chain does not overflow the stack', () => {
    const x = tensor([0.5]).requireGrad();
    let y = x;
    for (let i = 0; i < 20000; i++) y = y.mul(1);
    y.sum().backward();
    expect(x.grad!.toArray()).toEqual([1]);
  });
});

describe('second order (createGraph)', () => {
  /** Weighted first derivative v . df/dx, computed by backward with createGraph. */
  function secondOrderMatches(f: (x: Tensor) => Tensor, x: Tensor): void {
    const v = rand(x.shape, 61).requireGrad(false);
    const firstDerivative = (createGraph: boolean): Tensor => {
      x.zeroGrad();
      f(x).backward(undefined, { createGraph });
      return x.grad!;
    };
    const g1 = firstDerivative(true);
    expect(g1.requiresGrad).toBe(true);
    x.zeroGrad();
    g1.mul(v).sum().backward();
    const analytic = x.grad!.data.slice();
    for (let i = 0; i < x.size; i++) {
      const numeric = centeredDifference(() => firstDerivative(false).mul(v).sum().item(), x, i);
      if (relativeError(analytic[i], numeric) > TOL) {
        throw new Error(`[${i}]: analytic ${analytic[i]} vs numeric ${numeric}`);
      }
    }
  }

  it('d/dx of d/dx sum(tanh(x)^3)', () => secondOrderMatches((x) => x.tanh().pow(3).sum(), rand([2, 3], 62)));

  it('through broadcasting, matmul, softmax and division', () => {
    const w = tensor([[0.3, -0.2], [0.5, 0.1], [-0.4, 0.7]]);
    secondOrderMatches(
      (x) => x.matmul(w).add(tensor([0.1, -0.1])).softmax(-1).div(x.sigmoid().sum(-1, true)).log().sum(),
      rand([2, 3], 63),
    );
  });

  it('a customOp whose backward uses tensor ops', () => {
    const softplus = customOp({
      name: 'softplus',
      forward: (x) => x.exp().add(1).log(),
      backward: (g, { inputs: [x] }) => [g.mul(x.sigmoid())],
      inputNames: ['x'],
    });
    expectGradientsMatch((x) => softplus(x), [rand([2, 3], 64)]);
    secondOrderMatches((x) => softplus(x).mul(x).sum(), rand([2, 3], 65));
  });
});
