// Progress on stderr for long checks: the op and how many input elements are done. Nothing for
// the first second (short runs stay quiet) and nothing at all when stderr is not a terminal, so
// logs and pipes only ever see the report.
import type { CheckProgress } from '../model/options.ts';
import { terminalLine } from './safe-text.ts';

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface Progress {
  onProgress(progress: CheckProgress): void;
  /** Clears the progress line, before the report is printed. */
  done(): void;
}

export function createProgress(stream: ProgressStream, { delayMs = 1000, intervalMs = 100, now = () => performance.now() } = {}): Progress {
  const started = now();
  let lastDrawn = -Infinity;
  let shown = false;
  return {
    onProgress({ op, done, total }) {
      if (!stream.isTTY) return;
      const time = now();
      if (time - started < delayMs || time - lastDrawn < intervalMs) return;
      lastDrawn = time;
      shown = true;
      stream.write(`\r\x1b[2K${terminalLine(op)}: ${done} of ${total} elements`);
    },
    done() {
      if (shown) stream.write('\r\x1b[2K');
      shown = false;
    },
  };
}
