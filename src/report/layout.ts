// Fitting the terminal report to a width: long lines wrapped at spaces under their indentation, and
// table columns narrowed (headers and text cells wrapped, numbers kept whole) until the table fits.
// Only the terminal gets a width; JUnit's copy of a table and the matcher's message keep their lines.
import { stripVTControlCharacters } from 'node:util';

/** The width the report is laid out to when nothing says (a pipe, a CI log): the terminal's classic 80. */
export const DEFAULT_WIDTH = 80;
/** Below this a line cannot hold a sentence next to its indentation: lines are left as they are. */
const NARROWEST = 40;

/** The width of `stream`: the terminal's own, else $COLUMNS, else 80. */
export function outputWidth(stream: { isTTY?: boolean; columns?: number }, env: NodeJS.ProcessEnv = process.env): number {
  if (stream.isTTY && stream.columns && stream.columns > 0) return stream.columns;
  const columns = Number(env.COLUMNS);
  return Number.isInteger(columns) && columns > 0 ? columns : DEFAULT_WIDTH;
}

/** The columns `text` takes on a terminal: its characters, colour codes left out. */
export function visibleLength(text: string): number {
  return [...stripVTControlCharacters(text)].length;
}

/**
 * `line` wrapped at spaces to `width` columns, each continuation under `indent` spaces more than
 * the line's own indentation. A word longer than a line stays whole. A continuation never starts
 * with ':' (GitHub reads `::` at a line's start, after spaces, as a workflow command).
 */
export function wrapLine(line: string, width: number | undefined, indent = 2): string {
  if (width === undefined || width < NARROWEST || visibleLength(line) <= width) return line;
  const own = /^ */.exec(line)![0].length;
  // Words and the gaps between them, kept as they are wherever the line is not broken.
  const parts = line.slice(own).split(/( +)/);
  const lines: string[] = [];
  let current = ' '.repeat(own);
  let length = own;
  let empty = true;
  for (let k = 0; k < parts.length; k += 2) {
    const word = parts[k];
    const gap = k > 0 ? parts[k - 1] : '';
    const size = visibleLength(word);
    // A word with nothing to show (a colour code) stays with the word before it.
    if (!empty && size > 0 && length + gap.length + size > width) {
      lines.push(current);
      current = ' '.repeat(own + indent) + word;
      length = own + indent + size;
    } else {
      current += gap + word;
      length += gap.length + size;
    }
    empty = false;
  }
  lines.push(current);
  return lines.map((text, k) => (k === 0 ? text : text.replace(/^(\s*):/, '$1\\:'))).join('\n');
}

/**
 * Parts of one line (a badge, a name, a place, a time) joined by two spaces, broken only between
 * parts where the line is too long, so that '14.8 ms' never splits; a part longer than a line is
 * wrapped at its spaces.
 */
export function joinParts(parts: string[], width: number | undefined, indent = 2): string {
  const line = parts.join('  ');
  if (width === undefined || width < NARROWEST || visibleLength(line) <= width) return line;
  const lines: string[] = [];
  let current = '';
  for (const part of parts) {
    const next = current === '' ? part : `${current}  ${part}`;
    if (current !== '' && visibleLength(next) > width) {
      lines.push(current);
      current = ' '.repeat(indent) + part;
    } else {
      current = next;
    }
  }
  lines.push(current);
  return lines.map((text) => wrapLine(text, width, indent)).join('\n');
}

/** Every line of `text` wrapped to `width`. */
export function wrapText(text: string, width: number | undefined, indent = 2): string {
  if (width === undefined) return text;
  return text
    .split('\n')
    .map((line) => wrapLine(line, width, indent))
    .join('\n');
}

/** How a column may be narrowed: 'text' wraps at spaces; 'number' is never broken (its header still wraps). */
export type ColumnKind = 'text' | 'number';

/**
 * Column widths (padding included, as cli-table3 takes them) for a table of `rows` under `head` to
 * fit `width` columns, and the padding to use; undefined when it fits as it is. Headers wrap first,
 * then text cells, then the right padding goes; a table that still does not fit is as narrow as it
 * can be without breaking a word.
 */
export function fitColumns(head: string[], rows: string[][], kinds: ColumnKind[], width: number | undefined): { colWidths: number[]; paddingRight: number } | undefined {
  if (width === undefined) return undefined;
  const cells = (column: number) => rows.map((row) => row[column] ?? '');
  const longestWord = (text: string) => Math.max(0, ...stripVTControlCharacters(text).split(/\s+/).map((word) => [...word].length));
  const natural = head.map((title, column) => Math.max(visibleLength(title), ...cells(column).map(visibleLength)));
  const total = (widths: number[], padding: number) => widths.reduce((sum, w) => sum + w + 1 + padding, 0) + head.length + 1;
  if (total(natural, 1) <= width) return undefined;
  // First only the headers wrap, then text cells too; first with the right padding, then without.
  const headersWrap = head.map((title, column) => Math.max(longestWord(title), ...cells(column).map(visibleLength)));
  const cellsWrap = head.map((title, column) => Math.max(longestWord(title), ...cells(column).map(kinds[column] === 'number' ? visibleLength : longestWord)));
  let narrowest = natural;
  for (const [padding, floor] of [[1, headersWrap], [1, cellsWrap], [0, headersWrap], [0, cellsWrap]] as const) {
    const widths = shrink(natural, floor, (w) => total(w, padding) <= width);
    narrowest = widths;
    if (total(widths, padding) <= width || (padding === 0 && floor === cellsWrap)) return { colWidths: widths.map((w) => w + 1 + padding), paddingRight: padding };
  }
  return { colWidths: narrowest.map((w) => w + 1), paddingRight: 0 };
}

/** `widths` narrowed one column of text at a time, the one furthest above its floor first, until `fits` or every column is at its floor. */
function shrink(natural: readonly number[], floor: readonly number[], fits: (widths: number[]) => boolean): number[] {
  const widths = [...natural];
  while (!fits(widths)) {
    let widest = -1;
    for (let column = 0; column < widths.length; column++) {
      const room = widths[column] - floor[column];
      if (room > 0 && (widest < 0 || room > widths[widest] - floor[widest])) widest = column;
    }
    if (widest < 0) break;
    widths[widest]--;
  }
  return widths;
}
