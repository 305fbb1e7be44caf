// The escapes of op text, one destination at a time (the CLI tests in test/errors/op-text.test.ts
// show them in place).
import { describe, expect, it } from 'vitest';
import { MAX_LINE, annotationMessage, annotationProperty, escapeControls, markdownCode, markdownText, outputLine, shortLine, terminalLine, terminalLines } from '../../src/report/safe-text.ts';

describe('safe text', () => {
  it('escapes control characters, separators and bidirectional overrides as JavaScript writes them', () => {
    expect(escapeControls('a\nb\r\t\0\b\f\v\x1b[2J\x7f\x9b\u2028\u202e\u2066 é ✓')).toBe('a\\nb\\r\\t\\0\\b\\f\\v\\x1b[2J\\x7f\\x9b\\u2028\\u202e\\u2066 é ✓');
  });

  it('keeps a terminal line one line, with no legacy workflow command in it, and none at its start', () => {
    expect(terminalLine('x\n::error::y ##[warning]z')).toBe('x\\n::error::y ##\\[warning]z');
    expect(terminalLine('  ::error file=a.ts::b')).toBe('  \\::error file=a.ts::b');
  });

  it('cuts a line longer than MAX_LINE, saying how much it left out', () => {
    expect(shortLine('x'.repeat(MAX_LINE + 1234))).toBe(`${'x'.repeat(MAX_LINE)}… (1,234 more characters)`);
    expect(shortLine('x'.repeat(MAX_LINE))).toBe('x'.repeat(MAX_LINE));
  });

  it('lets a stack keep its lines, none of them starting a workflow command', () => {
    expect(terminalLines('Error: a\n::error::b\n    ::warning::c\n    at f (x.ts:1:1)')).toBe('Error: a\n\\::error::b\n    \\::warning::c\n    at f (x.ts:1:1)');
  });

  it("relays an op's printed line with its colours or without, never its other controls", () => {
    expect(outputLine('\r\x1b[2K\x1b[32mok\x1b[0m', { colours: true })).toBe('\\r\\x1b[2K\x1b[32mok\x1b[0m');
    expect(outputLine('\r\x1b[2K\x1b[32mok\x1b[0m', { colours: false })).toBe('\\r\\x1b[2Kok');
  });

  it('Markdown: no cell break, no HTML element, no line break; code spans keep their backticks out', () => {
    expect(markdownText('a | <b>\nc')).toBe('a \\| &lt;b&gt;\\nc');
    expect(markdownCode('a`b\n')).toBe('`a\'b\\n`');
  });

  it('annotations: % and line breaks percent-encoded, and , : in properties', () => {
    expect(annotationMessage('50%\nnext\x1b')).toBe('50%25%0Anext\\x1b');
    expect(annotationProperty('a, b: c')).toBe('a%2C b%3A c');
  });
});
