// A float32 engine stores its inputs in float32: x ± h is rounded before the engine sees it. So the
// checker keeps a float32 op's inputs in float32 too, and every perturbation it writes is rounded the
// same way; reading the perturbed value back then gives the step as the engine really took it.
const held = new WeakSet<Float64Array>();

/** Rounds x to float32 in place and marks it: perturbations written with `storeFor` round too. */
export function holdAsFloat32(x: Float64Array): void {
  for (let i = 0; i < x.length; i++) x[i] = Math.fround(x[i]);
  held.add(x);
}

export function isHeldAsFloat32(x: Float64Array): boolean {
  return held.has(x);
}

/** How a value written into x is stored: rounded to float32 for a float32 op's inputs. */
export function storeFor(x: Float64Array): (value: number) => number {
  return held.has(x) ? Math.fround : identity;
}

const identity = (value: number): number => value;
