// What a caller may ask of a check: the library's, the matcher's and (through the CLI's flags and the
// config) the command line's options. What an absent option means is in defaults.ts.
import type { Method } from './report.ts';

export interface CheckOptions {
  /** Largest relative error that passes (default 1e-7). */
  tolerance?: number;
  /** Steps to sweep, largest first (default 1e-1 … 1e-12). */
  eps?: number[];
  /** Seed for inputs, cotangents and directions (default 0). */
  seed?: number;
  /** Finite-difference formula (default 'central'). */
  method?: Method;
  /** 2 checks the gradient of the gradient (default 1). */
  order?: 1 | 2;
  /** 'auto' (default): element-wise while cheap, fast beyond. */
  mode?: 'auto' | 'element-wise' | 'fast';
  /** Which rules to check: 'forward' (jvp), 'reverse' (vjp) or 'both'; default every rule the op has. */
  ad?: 'forward' | 'reverse' | 'both';
  /** A second backward may differ from the first by this much (relative) without failing the op. */
  nondetTolerance?: number;
  /**
   * Math.random replayed from one seeded stream at every evaluation, so that a forward drawing a
   * dropout mask is one function (default true; the CLI's --no-replay-random turns it off).
   */
  replayRandom?: boolean;
  /**
   * `gradcheck sweep` only: keep, at every step, the worst element with its two values and every
   * element's error (what the HTML report's ε control shows; the CLI sets it for --html).
   */
  stepDetail?: boolean;
  /**
   * Threads the element-wise check may use, the calling one included, at most one per core. By
   * default one per core, for an op of at least 2048 input elements whose check is estimated to take
   * 0.5 s or more on one thread; given (here, or for the CLI in the GRADCHECK_THREADS environment
   * variable), for every op of at least 2048 input elements; 1 keeps every check on the calling
   * thread. The report is the same whatever the number.
   */
  threads?: number;
  /**
   * Points beyond the drawn one to check, spread over each input's domain, with sizes for named
   * dimensions, and a failure shrunk to its smallest case (the CLI's --explore). A plain run checks
   * a few points without shrinking; 0 checks the drawn point alone.
   */
  explore?: number;
  /** Called as the numeric side advances, for progress displays; must not throw. */
  onProgress?: (progress: CheckProgress) => void;
}

export interface CheckProgress {
  /** The op being checked. */
  op: string;
  /** Input elements whose numeric gradient is done, of `total`. */
  done: number;
  total: number;
}

