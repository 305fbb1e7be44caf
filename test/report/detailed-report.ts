// Sweep reports carrying the per-step detail of src/report/step-detail.ts, built here because the
// checker does not fill those fields in yet. The numbers are real: a float64 centered difference of
// f(x) = Σ cᵢ·exp(kᵢ·xᵢ) over a grid of elements, compared with the exact gradient element by
// element at every step. The rates kᵢ grow along the rows (a large k leaves the tolerance first on
// the truncation side, where the error is about k²ε²/6) and the scales cᵢ shrink along the columns
// (a small gradient beside the whole sum's rounding noise leaves first on the cancellation side).
import type { SweepReport } from '../../src/model/report.ts';
import { findMinimum, toleranceBand } from '../../src/model/u-curve.ts';
import type { DetailedInputSweep, DetailedSweepPoint } from '../../src/report/step-detail.ts';

export const STEPS = Array.from({ length: 12 }, (_, i) => Number(`1e-${i + 1}`));

function relativeError(analytic: number, numeric: number): number {
  const scale = Math.max(Math.abs(analytic), Math.abs(numeric));
  return scale === 0 ? 0 : Math.abs(analytic - numeric) / scale;
}

/** The exponentials' sweep, element by element: rows × cols elements, every step of STEPS. */
export function exponentialsSweep(rows: number, cols: number, tolerance: number): DetailedInputSweep {
  const n = rows * cols;
  const k = Float64Array.from({ length: n }, (_, i) => 0.5 + (2 * Math.floor(i / cols)) / Math.max(rows - 1, 1));
  const c = Float64Array.from({ length: n }, (_, i) => 10 ** (-2 * ((i % cols) / Math.max(cols - 1, 1))));
  const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 1.7) * 0.5);
  const f = () => x.reduce((sum, xi, i) => sum + c[i] * Math.exp(k[i] * xi), 0);
  const sweep = STEPS.map((eps): DetailedSweepPoint => {
    const errors: number[] = [];
    let worst = { index: [0, 0], analytic: 0, numeric: 0 };
    let largest = -1;
    for (let i = 0; i < n; i++) {
      const h = eps * Math.max(Math.abs(x[i]), 1);
      const saved = x[i];
      x[i] = saved + h;
      const up = f();
      x[i] = saved - h;
      const down = f();
      x[i] = saved;
      const numeric = (up - down) / (2 * h);
      const analytic = c[i] * k[i] * Math.exp(k[i] * saved);
      const error = relativeError(analytic, numeric);
      errors.push(error);
      if (error > largest) {
        largest = error;
        worst = { index: [Math.floor(i / cols), i % cols], analytic, numeric };
      }
    }
    return { eps, relErr: largest, worst, errors };
  });
  return summarize('x', [rows, cols], sweep, tolerance);
}

/** An input's sweep fields from its points, as src/check/sweep.ts derives them. */
export function summarize(name: string, shape: number[], sweep: DetailedSweepPoint[], tolerance: number): DetailedInputSweep {
  const minimum = findMinimum(sweep);
  return { name, shape, passed: minimum.relErr <= tolerance, sweep, minimum, band: toleranceBand(sweep, minimum, tolerance), recommendedEps: minimum.eps };
}

/** A seeded stand-in for a large input: errors on a U over the steps, spread over a few decades by element. */
export function syntheticSweep(name: string, shape: number[], tolerance: number): DetailedInputSweep {
  const n = shape.reduce((a, b) => a * b, 1);
  let state = 12345;
  const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const spread = Float64Array.from({ length: n }, () => random() * 4 - 2);
  const sweep = STEPS.map((eps): DetailedSweepPoint => {
    const base = Math.log10(eps * eps + 1e-16 / eps);
    const errors = Array.from(spread, (s) => 10 ** (base + s));
    const largest = errors.reduce((m, e, i) => (e > errors[m] ? i : m), 0);
    return { eps, relErr: errors[largest], worst: { index: unravel(largest, shape), analytic: 1, numeric: 1 + errors[largest] }, errors };
  });
  return summarize(name, shape, sweep, tolerance);
}

function unravel(flat: number, shape: number[]): number[] {
  const index: number[] = [];
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    index.unshift(flat % shape[axis]);
    flat = Math.floor(flat / shape[axis]);
  }
  return index;
}

export function sweepReport(inputs: DetailedInputSweep[], tolerance: number, name = 'scaled exponentials'): SweepReport {
  const passed = inputs.every((input) => input.passed);
  return {
    passed,
    tolerance,
    seed: 0,
    ops: [{ file: 'ops/exponentials.ts', name, status: passed ? 'pass' : 'fail', elapsedMs: 4.2, tolerance, evaluations: 2 * STEPS.length * inputs.reduce((sum, input) => sum + input.sweep[0].errors!.length, 0), line: 7, inputs }],
  };
}
