// A small seeded generator so that every run with the same seed draws the same inputs and
// cotangents: mulberry32 for uniforms, Box–Muller for normals.

export interface Random {
  uniform(): number;
  normal(): number;
}

export function createRandom(seed: number): Random {
  // The state is kept as an int32 (the same bits as mulberry32's uint32): a uint32 above 2³¹ is no
  // small integer to V8 and would be boxed on every draw, and inputs are drawn by the thousand.
  let state = seed | 0;
  let spareNormal = 0;
  let hasSpare = false;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (): number => {
    if (hasSpare) {
      hasSpare = false;
      return spareNormal;
    }
    const u = 1 - uniform(); // in (0, 1], so log(u) is finite
    const v = uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    spareNormal = radius * Math.sin(2 * Math.PI * v);
    hasSpare = true;
    return radius * Math.cos(2 * Math.PI * v);
  };
  return { uniform, normal };
}

/** Mixes a run's seed with a label (an op and input name) so that adding an op leaves the others' draws unchanged. */
export function deriveSeed(seed: number, label: string): number {
  let hash = (seed ^ 0x811c9dc5) >>> 0;
  for (let i = 0; i < label.length; i++) {
    hash ^= label.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
