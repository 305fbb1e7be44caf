// Every op of the engine corpus (float64 backend), at the inputs ops.ts draws for seed 0: its value,
// its vjp along a seeded cotangent and its jvp along seeded tangents (every differentiable input at
// once), against torch float64 on the same traced function (verify_torch.py: torch's own kernels,
// torch.autograd.functional.vjp and .jvp). Each must agree to 1e-10 relative. Run by hand:
//   npx tsx test/corpus/forward/verify-torch.ts [--seed 0] [--python /usr/bin/python3]
// Without a python that imports torch it prints why and exits 0.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENTRIES, engineFor, graphOf, materialize, normals, rng } from './ops.ts';

const TOLERANCE = 1e-10;

const arg = (flag: string) => {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const seed = Number(arg('--seed') ?? 0);
const python = arg('--python') ?? process.env.PYTHON ?? (spawnSync('/usr/bin/python3', ['-c', '1']).status === 0 ? '/usr/bin/python3' : 'python3');

/**
 * Relative error of a against the reference b: the largest |aᵢ − bᵢ| / max(|bᵢ|, 1e-3·‖b‖∞), so a
 * value near zero beside large ones is held to the large ones' scale rather than its own.
 */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let top = 0;
  for (let i = 0; i < b.length; i++) top = Math.max(top, Math.abs(b[i]));
  let worst = 0;
  for (let i = 0; i < b.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d === 0) continue;
    const e = d / Math.max(Math.abs(b[i]), 1e-3 * top, Number.MIN_VALUE);
    worst = Math.max(worst, Number.isNaN(e) ? Infinity : e);
  }
  return worst;
}

interface TorchResult {
  name: string;
  error?: string;
  value: number[];
  vjp: Record<string, number[]>;
  jvp: number[];
}

function main(): number {
  const probe = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    console.log(`skipping the torch verification: ${python} cannot import torch (${(probe.stderr || probe.error?.message || '').trim().split('\n').at(-1)})`);
    return 0;
  }
  const engine = engineFor('float64');
  const payload = ENTRIES.map((entry) => {
    const graph = graphOf(entry);
    const values = materialize(entry, seed);
    const out = engine.evaluate(graph, values);
    const cotangent = normals(rng(`${seed}/${entry.name}/cotangent`), out.data.length);
    const tangents: Record<string, Float64Array> = {};
    for (const input of graph.inputs) if (input.grad) tangents[input.name] = normals(rng(`${seed}/${entry.name}/tangent/${input.name}`), values[input.name].length);
    return {
      entry,
      json: { name: entry.name, graph, values: mapValues(values), cotangent: Array.from(cotangent), tangents: mapValues(tangents) },
      ours: { value: out.data, vjp: engine.vjp(graph, values, cotangent), jvp: engine.jvp(graph, values, tangents).data },
    };
  });
  const dir = mkdtempSync(join(tmpdir(), 'forward-torch-'));
  const file = join(dir, 'payload.json');
  writeFileSync(file, JSON.stringify(payload.map((p) => p.json)));
  const script = fileURLToPath(new URL('./verify_torch.py', import.meta.url));
  const run = spawnSync(python, [script, file], { encoding: 'utf8', maxBuffer: 1 << 28 });
  rmSync(dir, { recursive: true, force: true });
  if (run.status !== 0) {
    console.error(run.stderr);
    return 2;
  }
  const { torch, results } = JSON.parse(run.stdout) as { torch: string; results: TorchResult[] };
  let bad = 0;
  let worst = { value: 0, vjp: 0, jvp: 0 };
  const lines: string[] = [];
  results.forEach((t, k) => {
    const { entry, ours } = payload[k];
    if (t.error) {
      bad++;
      lines.push(`ERROR     ${entry.name}: ${t.error}`);
      return;
    }
    const value = relativeError(ours.value, t.value);
    const vjp = Math.max(0, ...Object.keys(t.vjp).map((name) => relativeError(ours.vjp[name], t.vjp[name])));
    const jvp = relativeError(ours.jvp, t.jvp);
    worst = { value: Math.max(worst.value, value), vjp: Math.max(worst.vjp, vjp), jvp: Math.max(worst.jvp, jvp) };
    const ok = value <= TOLERANCE && vjp <= TOLERANCE && jvp <= TOLERANCE;
    if (!ok) bad++;
    if (!ok || process.argv.includes('--verbose')) lines.push(`${ok ? 'ok      ' : 'MISMATCH'}  ${entry.name}: value ${value.toExponential(1)}, vjp ${vjp.toExponential(1)}, jvp ${jvp.toExponential(1)}`);
  });
  for (const line of lines) console.log(line);
  console.log(
    `torch ${torch} float64, seed ${seed}: ${results.length - bad} of ${results.length} ops agree to ${TOLERANCE} relative ` +
      `(largest: value ${worst.value.toExponential(1)}, vjp ${worst.vjp.toExponential(1)}, jvp ${worst.jvp.toExponential(1)})`,
  );
  return bad === 0 ? 0 : 1;
}

function mapValues(record: Record<string, Float64Array>): Record<string, number[]> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, Array.from(v)]));
}

process.exitCode = main();
