// Text that comes from an op file (op and input names, error messages, stacks, file names), made
// safe for the place it is printed. An op file is code someone chose to run, but what it names and
// throws is data to the report: it must not break the one line an error is promised, move the
// cursor, clear the screen, paint a fake PASS, or start a CI command. One function per destination;
// the printers call them and do nothing else with the text.
//
// GitHub's runner reads a workflow command from any line of a step's stdout or stderr that starts,
// after leading spaces, with `::`, and a legacy one from `##[` anywhere in a line; it splits lines
// at \n and at \r. So on a terminal (a CI log is one) op text keeps to one line and shows `##[` as
// `##\[`, and a multi-line stack may not have a line that starts with `::`.

/**
 * Control characters (C0, DEL, C1), the line and paragraph separators, and the bidirectional
 * overrides and isolates, which can show text in an order other than the one it has.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f', '\v': '\\v', '\0': '\\0' };

/** Each unsafe character as JavaScript would write it in a string: \n, \x1b, \u202e. */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, (c) => NAMED[c] ?? (c.charCodeAt(0) <= 0xff ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`));
}

function hex(c: string, digits: number): string {
  return c.charCodeAt(0).toString(16).padStart(digits, '0');
}

/**
 * Longer op text is cut on a printed line: a thrown 5 MB message (a serialized array, say) is one
 * line, but not one anyone reads; the JSON report keeps it whole.
 */
export const MAX_LINE = 4000;

/** Op text as one line: its unsafe characters escaped, and cut at MAX_LINE saying how much was left out. */
export function shortLine(text: string): string {
  const line = escapeControls(String(text));
  return line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}… (${(line.length - MAX_LINE).toLocaleString('en-US')} more characters)` : line;
}

/** `##[` as GitHub's runner would not read it: the bracket escaped, as Markdown and a reader take it. */
function breakLegacyCommand(text: string): string {
  return text.replace(/##\[/g, '##\\[');
}

/**
 * Op text on one terminal line (a name, a message, a file): every control character escaped, and
 * no `::` where the text may begin the line (an error line starts with its file, a file may be
 * named `::error file=x.ts::.ts`).
 */
export function terminalLine(text: string): string {
  return breakLegacyCommand(shortLine(text)).replace(/^(\s*):/, '$1\\:');
}

/**
 * Op text printed over several lines (a stack trace, --verbose): each line escaped as
 * `terminalLine` does, and none starting, after its indentation, with `::`.
 */
export function terminalLines(text: string): string {
  return String(text)
    .split(/\r\n|\n/)
    .map(terminalLine)
    .join('\n');
}

const SGR = /\x1b\[[0-9;]*m/g;

/**
 * What an op file printed, one line of it, as gradcheck relays it under its label: colours (SGR
 * sequences) kept where gradcheck's own are (dropped otherwise: NO_COLOR, a pipe), since they are
 * the op's own output, and every other control character (a \r that would hide the label, cursor
 * moves, screen clears) escaped.
 */
export function outputLine(text: string, { colours }: { colours: boolean }): string {
  let line = '';
  let from = 0;
  for (const colour of text.matchAll(SGR)) {
    line += terminalLine(text.slice(from, colour.index)) + (colours ? colour[0] : '');
    from = colour.index + colour[0].length;
  }
  return line + terminalLine(text.slice(from));
}

/**
 * Op text in a Markdown table cell, heading or list item (the GitHub step summary among them):
 * one line, `|` escaped so that it cannot end the cell, and `<` `>` as entities so that it cannot
 * open an HTML element the page would render.
 */
export function markdownText(text: string): string {
  return terminalLine(text).replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Op text inside a Markdown code span: one line, and no backtick to end the span early. */
export function markdownCode(text: string): string {
  return `\`${terminalLine(text).replace(/`/g, "'")}\``;
}

/**
 * The message of a workflow command (`::error …::message`): % and line breaks percent-encoded, as
 * the runner decodes them, so that the whole message stays on the command's line; control
 * characters escaped so that the annotation shows them.
 */
export function annotationMessage(text: string): string {
  return escapeControls(String(text).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A'));
}

/** A property of a workflow command (file, title): as a message, and `:` `,` encoded too, which end a property. */
export function annotationProperty(text: string): string {
  return annotationMessage(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** JSON or XML printed on stdout, where a CI log reads it: `##[` written with `[` escaped, the same data. */
export function breakLegacyCommands(document: string, escapedBracket: string): string {
  return document.replace(/##\[/g, `##${escapedBracket}`);
}
