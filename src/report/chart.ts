// The U-curve in a terminal: relative error against ε on log–log axes, one row per decade of error
// and one column per step, small steps on the left (floating-point cancellation) and large ones on
// the right (truncation error). The minimum is marked, the tolerance drawn as a dashed row, and the
// steps within the tolerance drawn as a double rule on the ε axis.
import { chalk } from './color.ts';
import type { SweepPoint } from '../model/report.ts';
import { findMinimum, toleranceBand } from '../model/u-curve.ts';
import { formatExp } from './format.ts';
import { visibleLength } from './layout.ts';

const CELL = 6;
const LABEL = 7;
/** Deeper than this the chart only grows taller without saying more. */
const MAX_DECADES = 18;

export const MARKERS = { within: '●', above: '×', minimum: '◆', offChart: '▼' } as const;

/** The chart; with a `width`, the tolerance's label goes to the legend when the dashed row would overrun it. */
export function formatUCurve(sweep: SweepPoint[], tolerance: number, width?: number): string {
  const points = [...sweep].sort((a, b) => a.eps - b.eps);
  const minimum = findMinimum(sweep);
  const band = toleranceBand(sweep, minimum, tolerance);
  const inBand = (eps: number) => band !== undefined && eps <= band.largestEps && eps >= band.smallestEps;

  const toleranceDecade = Math.round(Math.log10(tolerance));
  const decades = points.map((p) => (p.relErr > 0 ? Math.round(Math.log10(p.relErr)) : -Infinity));
  const finite = decades.filter(Number.isFinite);
  const top = Math.min(Math.max(toleranceDecade, ...finite.map((d) => Math.min(d, 1))), 1);
  const bottom = Math.max(Math.min(toleranceDecade, ...finite), top - MAX_DECADES);

  const marker = (point: SweepPoint, decade: number): string => {
    if (point === minimum) return chalk.bold.cyan(MARKERS.minimum);
    if (decade < bottom) return chalk.green(MARKERS.offChart);
    return point.relErr <= tolerance ? chalk.green(MARKERS.within) : chalk.red(MARKERS.above);
  };
  const rowOf = (decade: number) => (Number.isNaN(decade) || decade > top ? top : Math.max(decade, bottom - 1));

  const lines: string[] = [];
  for (let decade = top; decade >= bottom - (decades.some((d) => d < bottom) ? 1 : 0); decade--) {
    const onTolerance = decade === toleranceDecade;
    const label = decade < bottom ? 'below' : `1e${decade}`;
    let row = `${label.padStart(LABEL - 2)} ${onTolerance ? chalk.yellow('┼') : '┤'}`;
    points.forEach((point, i) => {
      const here = rowOf(decades[i]) === decade;
      const fill = (width: number) => (onTolerance ? chalk.yellow('┄'.repeat(width)) : ' '.repeat(width));
      const left = CELL >> 1;
      const right = CELL - left - 1;
      row += here ? fill(left) + marker(point, decades[i]) + fill(right) : fill(CELL);
    });
    if (onTolerance) row += chalk.yellow(` tolerance ${formatExp(tolerance, 0)}`);
    lines.push(row);
  }
  const labelled = width === undefined || LABEL + CELL * points.length + ` tolerance ${formatExp(tolerance, 0)}`.length <= width;
  if (!labelled) lines.forEach((line, k) => (lines[k] = line.replace(chalk.yellow(` tolerance ${formatExp(tolerance, 0)}`), '')));
  let axis = `${' '.repeat(LABEL - 1)}└`;
  let labels = ' '.repeat(LABEL);
  for (const point of points) {
    const rule = inBand(point.eps) ? chalk.green('═'.repeat(CELL >> 1) + '╪' + '═'.repeat(CELL - (CELL >> 1) - 1)) : '─'.repeat(CELL >> 1) + '┬' + '─'.repeat(CELL - (CELL >> 1) - 1);
    axis += rule;
    const text = formatExp(point.eps, 0);
    const pad = Math.max(0, CELL - text.length);
    labels += ' '.repeat(pad >> 1) + text + ' '.repeat(pad - (pad >> 1));
  }
  const axisLabels = `${labels}  ε`;
  lines.push(axis, width !== undefined && axisLabels.length > width ? `${labels.trimEnd()} ε` : axisLabels);
  const legend = [
    `${chalk.bold.cyan(MARKERS.minimum)} minimum`,
    `${chalk.green(MARKERS.within)} within tolerance`,
    `${chalk.red(MARKERS.above)} above`,
    `${chalk.green('═')} steps within tolerance`,
  ];
  if (!labelled) legend.push(`${chalk.yellow('┄')} tolerance ${formatExp(tolerance, 0)}`);
  if (decades.some((d) => d < bottom)) legend.push(`${chalk.green(MARKERS.offChart)} error 0 or below 1e${bottom}`);
  // The legend's entries kept whole, as many to a line as the width holds.
  let line = ' '.repeat(LABEL);
  for (const entry of legend) {
    const next = line.trim() === '' ? line + entry : `${line}   ${entry}`;
    if (width !== undefined && line.trim() !== '' && visibleLength(next) > width) {
      lines.push(line);
      line = ' '.repeat(LABEL) + entry;
    } else {
      line = next;
    }
  }
  lines.push(line);
  return lines.map((line) => line.replace(/ +$/, '')).join('\n');
}
