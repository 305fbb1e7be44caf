// Source locations from a V8 stack trace: where defineOp was called, and where an op's own code threw.
import { fileURLToPath } from 'node:url';

export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

// "    at fn (/path/file.ts:12:5)", "    at /path/file.ts:12:5", "    at file:///path/file.ts:12:5"
const FRAME = /\(?((?:file:\/\/)?[^()\s]+?):(\d+):(\d+)\)?\s*$/;

/** Every frame of `stack` that names a file, innermost first (the message line is skipped). */
export function stackLocations(stack: string | undefined): SourceLocation[] {
  const locations: SourceLocation[] = [];
  for (const frame of (stack ?? '').split('\n').slice(1)) {
    const match = FRAME.exec(frame);
    if (!match) continue;
    const file = match[1].startsWith('file://') ? fileURLToPath(match[1]) : match[1];
    locations.push({ file, line: Number(match[2]), column: Number(match[3]) });
  }
  return locations;
}
