// The point a check is made at, and the one way every stage moves it.
//
// An input is held as the engine holds it: the array its function reads, the values at the point
// checked (`origin`), how the engine stores a value written into it (a float32 engine rounds
// x ± h to float32 before it computes anything), and each element's step scale. Every finite
// difference, direction, noise probe and ladder of steps moves the point through `evaluateMoved`:
// it writes the moved values as the engine would store them, evaluates, and puts the origin back,
// also when the evaluation throws. The step as taken, (x + h) − (x − h) after storing, is what
// every difference divides by, so a float32 engine's rounding of its inputs is no error of the check.

export type Store = (value: number) => number;

const exact: Store = (value) => value;

export interface Held {
  /** The array the function under test reads: moves are written here. */
  readonly data: Float64Array;
  /** The values at the point checked: every move starts from them, and they are put back after it. */
  readonly origin: Float64Array;
  /** How the engine stores a value written into the input: Math.fround for a float32 engine. */
  readonly store: Store;
  /** Whether `store` rounds (steps as taken then differ from steps as asked). */
  readonly rounds: boolean;
  /**
   * Each element's step scale: max(|x|, 1), so steps are relative to large elements and absolute
   * for small ones; for an input declared with a domain [lo, hi] (log's and sqrt's [0, ∞)), capped
   * at the element's distance to the nearest edge, so that no step leaves the domain and an element
   * at 1e-6 above 0 gets steps of its own size.
   */
  readonly scales: Float64Array;
  /** Whether some element's scale is capped by a domain. */
  readonly capped: boolean;
  /**
   * The input's largest gradient where the op is not saturated (at the drawn point), when the point
   * held is another: elements are compared against 1% of the larger of it and the point's own
   * largest, since where the op saturates every gradient is rounding, which neither a backward nor
   * a step computes to relative precision (1 − tanh² near ±1).
   */
  readonly typicalGradient?: number;
}

/**
 * Holds `data` as the engine holds it: rounded to float32 in place for a float32 engine, its origin
 * copied, its scales computed once.
 */
export function hold(data: Float64Array, { float32 = false, domain }: { float32?: boolean; domain?: readonly [number, number] } = {}): Held {
  const store = float32 ? Math.fround : exact;
  if (float32) for (let i = 0; i < data.length; i++) data[i] = store(data[i]);
  const scales = new Float64Array(data.length);
  let capped = false;
  for (let i = 0; i < data.length; i++) {
    const scale = Math.max(Math.abs(data[i]), 1);
    const cap = domain ? Math.min(data[i] - domain[0], domain[1] - data[i]) : Infinity;
    capped ||= cap < scale;
    scales[i] = Math.min(scale, cap);
  }
  return { data, origin: Float64Array.from(data), store, rounds: float32, scales, capped };
}

/** A move of the point: one element of an input by an absolute step, or inputs along directions. */
export type Move =
  | { input: Held; element: number; step: number }
  /** Each input k moved by step · directions[k] ∘ its scales (null: not moved). */
  | { inputs: readonly Held[]; directions: readonly (Float64Array | null)[]; step: number };

/**
 * The one way the check moves the point: f at the point moved by `move`, each moved value stored as
 * the engine stores it; the moved inputs are back at their origin afterwards, also when f throws.
 */
export function evaluateMoved<T>(move: Move, f: () => T): T {
  if ('element' in move) {
    const { data, origin, store } = move.input;
    const i = move.element;
    try {
      data[i] = store(origin[i] + move.step);
      return f();
    } finally {
      data[i] = origin[i];
    }
  }
  const { inputs, directions, step } = move;
  try {
    for (let k = 0; k < inputs.length; k++) {
      const d = directions[k];
      if (!d) continue;
      const { data, origin, store, scales } = inputs[k];
      for (let i = 0; i < data.length; i++) data[i] = store(origin[i] + step * d[i] * scales[i]);
    }
    return f();
  } finally {
    for (let k = 0; k < inputs.length; k++) if (directions[k]) inputs[k].data.set(inputs[k].origin);
  }
}

/** f on both sides of the point along a move. */
export interface CenteredPair<T> {
  up: T;
  down: T;
}

/**
 * Element i of x moved by ±h: f on both sides, and the span (x + h) − (x − h) as the engine stored
 * the two, which a centered difference divides by.
 */
export function elementPair<T>(x: Held, i: number, h: number, f: () => T): CenteredPair<T> & { span: number } {
  const up = evaluateMoved({ input: x, element: i, step: h }, f);
  const down = evaluateMoved({ input: x, element: i, step: -h }, f);
  return { up, down, span: x.store(x.origin[i] + h) - x.store(x.origin[i] - h) };
}

/**
 * The inputs moved by ±t along their directions: f on both sides. `spans`, when given, receives each
 * moved input's (x + t·d) − (x − t·d) as the engine stored them.
 */
export function directionPair<T>(inputs: readonly Held[], directions: readonly (Float64Array | null)[], t: number, f: () => T, spans?: (Float64Array | null)[]): CenteredPair<T> {
  if (spans) {
    for (let k = 0; k < inputs.length; k++) {
      const d = directions[k];
      const out = spans[k];
      if (!d || !out) continue;
      const { origin, store, scales } = inputs[k];
      for (let i = 0; i < origin.length; i++) out[i] = store(origin[i] + t * d[i] * scales[i]) - store(origin[i] - t * d[i] * scales[i]);
    }
  }
  const up = evaluateMoved({ inputs, directions, step: t }, f);
  const down = evaluateMoved({ inputs, directions, step: -t }, f);
  return { up, down };
}
