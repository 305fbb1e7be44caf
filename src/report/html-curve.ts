// The HTML report's U-curve: relative error against the step ε on log–log axes, as inline SVG.
import { findMinimum, toleranceBand } from '../model/u-curve.ts';
import type { SweepPoint } from '../model/report.ts';
import { formatExp } from './format.ts';
import { escape } from './html-escape.ts';

const WIDTH = 420;
const HEIGHT = 260;
const MARGIN = { left: 58, right: 16, top: 16, bottom: 44 };

export interface Curve {
  svg: string;
  /** Where each step is drawn, in the order of the ε control: smallest ε first, as on the x axis. */
  points: { x: number; y: number }[];
}

/** The steps as the ε control and the x axis order them: smallest first. */
export function ascending(sweep: SweepPoint[]): SweepPoint[] {
  return [...sweep].sort((a, b) => a.eps - b.eps);
}

/**
 * The U-curve: the tolerance dashed, the steps within it shaded, the minimum ringed. With `cursor`
 * (a step's position in ascending order) the curve also carries the ε control's marker there; each
 * point is tagged with its position so that a click can choose it.
 */
export function formatCurve(sweep: SweepPoint[], tolerance: number, label: string, cursor?: number): Curve {
  const points = ascending(sweep);
  const minimum = findMinimum(sweep);
  const band = toleranceBand(sweep, minimum, tolerance);
  const logs = points.map((p) => p.relErr).filter((e) => e > 0 && Number.isFinite(e)).map(Math.log10);
  const yTop = Math.min(Math.ceil(Math.max(Math.log10(tolerance), ...logs)), 2);
  const yBottom = Math.max(Math.floor(Math.min(Math.log10(tolerance), ...logs)), yTop - 20) - (points.some((p) => p.relErr === 0) ? 1 : 0);
  // One step alone (a fast check that passed at its first step) gets a decade either side.
  const lone = points[0].eps === points[points.length - 1].eps ? 1 : 0;
  const xLeft = Math.floor(Math.log10(points[0].eps)) - lone;
  const xRight = Math.ceil(Math.log10(points[points.length - 1].eps)) + lone;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (eps: number) => MARGIN.left + ((Math.log10(eps) - xLeft) / Math.max(xRight - xLeft, 1)) * plotW;
  const y = (relErr: number) => {
    const log = relErr > 0 ? Math.min(Math.max(Math.log10(relErr), yBottom), yTop) : relErr === 0 ? yBottom : yTop;
    return MARGIN.top + ((yTop - log) / Math.max(yTop - yBottom, 1)) * plotH;
  };
  const n = (v: number) => v.toFixed(1);
  const out: string[] = [`<svg class="curve" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escape(`relative error against step for ${label}`)}">`];
  out.push(`<rect class="frame" x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}"/>`);
  if (band) {
    const left = x(band.smallestEps);
    const right = x(band.largestEps);
    out.push(`<rect class="band" x="${n(left - 6)}" y="${MARGIN.top}" width="${n(right - left + 12)}" height="${plotH}"><title>steps within tolerance</title></rect>`);
  }
  const yStep = yTop - yBottom > 10 ? 2 : 1;
  for (let d = yTop; d >= yBottom; d -= yStep) {
    out.push(`<line class="grid" x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${n(y(10 ** d))}" y2="${n(y(10 ** d))}"/>`);
    out.push(`<text class="tick" x="${MARGIN.left - 6}" y="${n(y(10 ** d) + 4)}" text-anchor="end">1e${d}</text>`);
  }
  const xStep = xRight - xLeft > 8 ? 2 : 1;
  for (let d = xRight; d >= xLeft; d -= xStep) {
    out.push(`<line class="grid" x1="${n(x(10 ** d))}" x2="${n(x(10 ** d))}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}"/>`);
    out.push(`<text class="tick" x="${n(x(10 ** d))}" y="${MARGIN.top + plotH + 16}" text-anchor="middle">1e${d}</text>`);
  }
  out.push(`<text class="axis" x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 6}" text-anchor="middle">step ε</text>`);
  out.push(`<text class="axis" transform="translate(14 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">relative error</text>`);
  const tolY = n(y(tolerance));
  out.push(`<line class="tolerance" x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${tolY}" y2="${tolY}"/>`);
  out.push(`<text class="tolerance-label" x="${MARGIN.left + plotW - 4}" y="${n(y(tolerance) - 5)}" text-anchor="end">tolerance ${formatExp(tolerance, 0)}</text>`);
  const drawn = points.map((p) => ({ x: Number(n(x(p.eps))), y: Number(n(y(p.relErr))) }));
  if (cursor !== undefined) {
    const at = drawn[cursor];
    out.push(`<g class="cursor" transform="translate(${at.x} 0)"><line x1="0" x2="0" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}"/></g>`);
  }
  out.push(`<polyline class="curve" points="${drawn.map((p) => `${p.x},${p.y}`).join(' ')}"/>`);
  points.forEach((p, i) => {
    const cls = `point ${p.relErr <= tolerance ? 'ok' : 'bad'}${i === cursor ? ' current' : ''}`;
    out.push(`<circle class="${cls}" data-step="${i}" cx="${drawn[i].x}" cy="${drawn[i].y}" r="3.5"><title>ε ${formatExp(p.eps, 0)}: ${formatExp(p.relErr)}</title></circle>`);
  });
  const mx = x(minimum.eps);
  const my = y(minimum.relErr);
  out.push(`<circle class="minimum" cx="${n(mx)}" cy="${n(my)}" r="8"/>`);
  const anchor = mx > MARGIN.left + plotW * 0.7 ? 'end' : 'start';
  const labelY = my > MARGIN.top + plotH - 18 ? my - 12 : my + 20;
  out.push(`<text class="minimum-label" x="${n(anchor === 'end' ? mx - 10 : mx + 10)}" y="${n(labelY)}" text-anchor="${anchor}">min ${formatExp(minimum.relErr)} at ε ${formatExp(minimum.eps, 0)}</text>`);
  out.push('</svg>');
  return { svg: out.join(''), points: drawn };
}

/** The U-curve alone, without the ε control's marker. */
export function formatSvg(sweep: SweepPoint[], tolerance: number, label: string): string {
  return formatCurve(sweep, tolerance, label).svg;
}
