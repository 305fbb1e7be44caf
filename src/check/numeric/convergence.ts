// The order of convergence: how fast the finite-difference error falls with the step, an ε-free
// second opinion on a gradient. A centered difference of a function with the right gradient is
// off by O(ε²): its error falls a hundredfold per decade of ε. With a wrong gradient the error
// stops falling at the size of the mistake, whatever the step (order 0). Measured on the
// truncation side of the U-curve, where rounding noise does not yet decide.
import type { Convergence, SweepPoint } from '../../model/report.ts';

/**
 * From the directional sweep: the residual r(ε) = |φ(x + εd) − φ(x − εd) − g·(2εd)| is O(ε³) for
 * the right gradient g and 2ε·|(g − g*)·d| + O(ε³) for a wrong one, so its log–log slope at small
 * steps is 3 or 1; the error's order is one less. Only residuals a hundred times above f's rounding
 * noise (`noise`, per evaluation) count, and only where φ itself moved by many of its smallest
 * steps (where it does not move at all, the residual is the analytic change alone, linear in ε like
 * a wrong gradient's). The order is read at the smallest such steps.
 */
export function directionalOrder(points: readonly { eps: number; residual: number; numeric: number }[], noise: number): Convergence | undefined {
  const moved = (p: { eps: number; numeric: number }) => Math.abs(p.numeric) * 2 * p.eps;
  const quantum = Math.min(...points.map(moved).filter((change) => change > 0 && Number.isFinite(change)));
  const usable = points
    .filter((p) => Number.isFinite(p.residual) && p.residual > 100 * 2 * noise && moved(p) >= 16 * quantum)
    .sort((a, b) => b.eps - a.eps);
  if (usable.length < 2) return undefined;
  // The two or three smallest usable steps: the asymptotic end of the truncation branch.
  const tail = usable.slice(-3);
  return { order: slope(tail.map((p) => [p.eps, p.residual])) - 1, fromEps: tail[0].eps, toEps: tail[tail.length - 1].eps };
}

/**
 * From the element-wise sweep (`gradcheck sweep`): the slope of the largest relative error on the
 * right of the U-curve's minimum, over the steps next to it where the error is still below 10%.
 */
export function sweepOrder(sweep: readonly SweepPoint[]): Convergence | undefined {
  const sorted = [...sweep].sort((a, b) => a.eps - b.eps);
  let minimum = 0;
  for (let i = 1; i < sorted.length; i++) if (sorted[i].relErr < sorted[minimum].relErr) minimum = i;
  const right = sorted.slice(minimum + 1).filter((p) => p.relErr > 0 && p.relErr < 0.1 && Number.isFinite(p.relErr)).slice(0, 3);
  if (right.length < 2) return undefined;
  return { order: slope(right.map((p) => [p.eps, p.relErr])), fromEps: right[right.length - 1].eps, toEps: right[0].eps };
}

/** Least-squares slope of log y against log x. */
function slope(points: [number, number][]): number {
  const xs = points.map(([x]) => Math.log10(x));
  const ys = points.map(([, y]) => Math.log10(y));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return num / den;
}
