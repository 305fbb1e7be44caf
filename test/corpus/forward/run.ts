// Forward-mode verdicts against reverse-mode verdicts over the engine corpus (ops.ts) on every
// backend (float32, float64, noisy64) and over the tfjs ops with hand-written jvps (tfjs.ts). Run by hand:
//   npx tsx test/corpus/forward/run.ts [--seeds 0-4] [--json out.json] [--quick] [--backends float32,tfjs] [--no-ladder]
// For every op and seed: gradcheck with ad 'forward' and with ad 'reverse' on the correct op, with
// its jvp planted off by (1 + 1e-2) and (1 + 1e-3) (forward), and its vjp planted off by the same
// (reverse). On the float32 backends (float32 and tfjs) the plants also run down a ladder of deltas
// (1e-2, 3e-3, 1e-3, 3e-4, 1e-4) for the smallest one caught at every seed (--no-ladder skips it).
// --quick: the QUICK subset (about thirty ops per backend), seeds 0–1, no ladder.
import { writeFileSync } from 'node:fs';
import { gradcheck } from '../../../src/index.ts';
import type { Op, OpReport } from '../../../src/index.ts';
import { BACKENDS } from './engine.ts';
import { ENTRIES, QUICK, makeOp } from './ops.ts';
import type { Plant } from './ops.ts';
import type { TfEntry } from './tfjs.ts';

type Side = 'forward' | 'reverse';
type Verdict = 'pass' | 'inconclusive' | 'fail' | 'error';

export interface CheckRecord {
  backend: string;
  op: string;
  seed: number;
  ad: Side;
  plant: Plant | null;
  status: OpReport['status'];
  verdict?: 'inconclusive';
  /** pass, inconclusive (a pass with verdict inconclusive), fail or error. */
  outcome: Verdict;
  maxRelErr: number | null;
  error?: string;
  diagnosis?: { code: string; message: string; input?: string };
  rows: { name: string; ad?: 'forward'; passed: boolean; relErr: number | null; verdict?: 'inconclusive' }[];
  ms: number;
}

const LADDER = [1e-2, 3e-3, 1e-3, 3e-4, 1e-4];
const MAIN_DELTAS = [1e-2, 1e-3];

function parseArgs(argv: string[]) {
  const get = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const quick = argv.includes('--quick');
  const seedsArg = get('--seeds') ?? (quick ? '0-1' : '0-4');
  const seeds = seedsArg.split(',').flatMap((part) => {
    const [a, b] = part.split('-').map(Number);
    return b === undefined ? [a] : Array.from({ length: b - a + 1 }, (_, i) => a + i);
  });
  const backends = (get('--backends') ?? [...BACKENDS, 'tfjs'].join(',')).split(',');
  return { quick, seeds, backends, json: get('--json'), ladder: !quick && !argv.includes('--no-ladder') };
}

const finite = (x: number) => (Number.isFinite(x) ? x : null);
// checkOp never skips (skipping is the run's): a skipped status cannot reach here.
const outcomeOf = (r: OpReport): Verdict => (r.status === 'pass' ? (r.verdict === 'inconclusive' ? 'inconclusive' : 'pass') : r.status === 'skipped' ? 'error' : r.status);

async function check(backend: string, entryName: string, op: Op, seed: number, ad: Side, plant: Plant | null): Promise<CheckRecord> {
  const t0 = performance.now();
  const r = await gradcheck(op, { seed, ad });
  const d = r.diagnoses.find((x) => x.code !== 'replayed-random') ?? r.diagnoses[0];
  return {
    backend,
    op: entryName,
    seed,
    ad,
    plant,
    status: r.status,
    ...(r.verdict ? { verdict: r.verdict } : {}),
    outcome: outcomeOf(r),
    maxRelErr: finite(r.maxRelErr),
    ...(r.error ? { error: r.error } : {}),
    ...(d ? { diagnosis: { code: d.code, message: d.message, ...(d.input ? { input: d.input } : {}) } } : {}),
    rows: r.inputs.filter((i) => !i.constant).map((i) => ({ name: i.name, ...(i.ad ? { ad: i.ad } : {}), passed: i.passed, relErr: finite(i.relErr), ...(i.verdict ? { verdict: i.verdict } : {}) })),
    ms: performance.now() - t0,
  };
}

interface Subject {
  name: string;
  make: (options: { seed: number; plant?: Plant }) => Op;
}

async function runBackend(backend: string, subjects: Subject[], seeds: number[], ladder: boolean, out: CheckRecord[]) {
  const deltas = ladder ? LADDER : MAIN_DELTAS;
  const started = performance.now();
  for (const [i, subject] of subjects.entries()) {
    for (const seed of seeds) {
      out.push(await check(backend, subject.name, subject.make({ seed }), seed, 'forward', null));
      out.push(await check(backend, subject.name, subject.make({ seed }), seed, 'reverse', null));
      for (const delta of deltas) {
        const jvp: Plant = { which: 'jvp', delta };
        const vjp: Plant = { which: 'vjp', delta };
        out.push(await check(backend, subject.name, subject.make({ seed, plant: jvp }), seed, 'forward', jvp));
        out.push(await check(backend, subject.name, subject.make({ seed, plant: vjp }), seed, 'reverse', vjp));
      }
    }
    if (process.stderr.isTTY || process.env.PROGRESS) process.stderr.write(`\r${backend}: ${i + 1}/${subjects.length} ops, ${((performance.now() - started) / 1000).toFixed(0)} s   `);
  }
  if (process.stderr.isTTY || process.env.PROGRESS) process.stderr.write('\n');
}

// ---------------------------------------------------------------------------------------------
// Summary

const pad = (s: string | number, n: number) => String(s).padEnd(n);
const lpad = (s: string | number, n: number) => String(s).padStart(n);
const VERDICTS: Verdict[] = ['pass', 'inconclusive', 'fail', 'error'];

export interface BackendSummary {
  backend: string;
  ops: number;
  seeds: number[];
  correct: Record<Side, Record<Verdict, number>> & { forwardFailWithInconclusive: number; reverseFailWithInconclusive: number };
  differing: { checks: number; ops: string[] };
  falseFails: { ad: Side; op: string; seed: number; maxRelErr: number | null; diagnosis?: string }[];
  /**
   * Per plant: checks, how many failed (caught), the outcomes, and the same counted only over the
   * (op, seed) pairs whose correct twin did not fail on the same side: a catch where the correct op
   * fails too proves nothing.
   */
  planted: { which: 'jvp' | 'vjp'; delta: number; total: number; caught: number; outcomes: Record<Verdict, number>; twinOk: { total: number; caught: number } }[];
  /** Per op, the smallest planted delta caught (status fail) at every seed, for the jvp and the vjp. */
  smallestCaught?: Record<string, { jvp: number | null; vjp: number | null }>;
  seconds: number;
}

function summarize(backend: string, records: CheckRecord[], seeds: number[], ladder: boolean): BackendSummary {
  const mine = records.filter((r) => r.backend === backend);
  const correct = mine.filter((r) => !r.plant);
  const count = (side: Side) => Object.fromEntries(VERDICTS.map((v) => [v, correct.filter((r) => r.ad === side && r.outcome === v).length])) as Record<Verdict, number>;
  const ops = [...new Set(mine.map((r) => r.op))];
  const differing: string[] = [];
  let differingChecks = 0;
  for (const op of ops) {
    let differs = false;
    for (const seed of seeds) {
      const f = correct.find((r) => r.op === op && r.seed === seed && r.ad === 'forward');
      const b = correct.find((r) => r.op === op && r.seed === seed && r.ad === 'reverse');
      if (f && b && f.outcome !== b.outcome) {
        differingChecks++;
        differs = true;
      }
    }
    if (differs) differing.push(op);
  }
  const deltas = [...new Set(mine.filter((r) => r.plant).map((r) => r.plant!.delta))].sort((a, b) => b - a);
  const planted = (['jvp', 'vjp'] as const).flatMap((which) =>
    deltas.map((delta) => {
      const these = mine.filter((r) => r.plant?.which === which && r.plant.delta === delta);
      const outcomes = Object.fromEntries(VERDICTS.map((v) => [v, these.filter((r) => r.outcome === v).length])) as Record<Verdict, number>;
      const side: Side = which === 'jvp' ? 'forward' : 'reverse';
      const ok = these.filter((r) => correct.some((c) => c.op === r.op && c.seed === r.seed && c.ad === side && c.status !== 'fail'));
      return { which, delta, total: these.length, caught: outcomes.fail, outcomes, twinOk: { total: ok.length, caught: ok.filter((r) => r.status === 'fail').length } };
    }),
  );
  let smallestCaught: BackendSummary['smallestCaught'];
  if (ladder) {
    smallestCaught = {};
    for (const op of ops) {
      const smallest = (which: 'jvp' | 'vjp') => {
        let best: number | null = null;
        for (const delta of deltas) {
          const these = mine.filter((r) => r.op === op && r.plant?.which === which && r.plant.delta === delta);
          if (these.length === seeds.length && these.every((r) => r.status === 'fail')) best = delta;
          else break;
        }
        return best;
      };
      smallestCaught[op] = { jvp: smallest('jvp'), vjp: smallest('vjp') };
    }
  }
  return {
    backend,
    ops: ops.length,
    seeds,
    correct: {
      forward: count('forward'),
      reverse: count('reverse'),
      forwardFailWithInconclusive: correct.filter((r) => r.ad === 'forward' && r.status === 'fail' && r.verdict === 'inconclusive').length,
      reverseFailWithInconclusive: correct.filter((r) => r.ad === 'reverse' && r.status === 'fail' && r.verdict === 'inconclusive').length,
    },
    differing: { checks: differingChecks, ops: differing },
    falseFails: correct
      .filter((r) => r.status === 'fail')
      .map((r) => ({ ad: r.ad, op: r.op, seed: r.seed, maxRelErr: r.maxRelErr, ...(r.diagnosis ? { diagnosis: `${r.diagnosis.code}: ${r.diagnosis.message}` } : {}) })),
    planted,
    ...(smallestCaught ? { smallestCaught } : {}),
    seconds: mine.reduce((s, r) => s + r.ms, 0) / 1000,
  };
}

function print(s: BackendSummary): string {
  const lines: string[] = [];
  const checks = s.ops * s.seeds.length;
  lines.push(`=== ${s.backend}: ${s.ops} ops × ${s.seeds.length} seeds (${s.seeds.join(', ')}) = ${checks} checks per row, ${s.seconds.toFixed(1)} s ===`);
  lines.push('correct ops            pass  inconclusive  fail  error');
  for (const side of ['forward', 'reverse'] as const) {
    const c = s.correct[side];
    lines.push(`  ${pad(side === 'forward' ? 'forward (jvp)' : 'reverse (vjp)', 18)} ${lpad(c.pass, 6)}  ${lpad(c.inconclusive, 12)}  ${lpad(c.fail, 4)}  ${lpad(c.error, 5)}`);
  }
  lines.push(`  status 'fail' with verdict 'inconclusive': forward ${s.correct.forwardFailWithInconclusive}, reverse ${s.correct.reverseFailWithInconclusive}`);
  lines.push(`  forward verdict ≠ reverse verdict: ${s.differing.checks} of ${checks} checks, ${s.differing.ops.length} of ${s.ops} ops`);
  lines.push(`  false fails (correct op, status fail): ${s.falseFails.length}`);
  for (const f of s.falseFails) lines.push(`    ${pad(f.ad, 7)} seed ${f.seed}  ${f.op}  (maxRelErr ${f.maxRelErr?.toExponential(1) ?? '—'})  ${(f.diagnosis ?? '').slice(0, 240)}`);
  lines.push('planted (caught = status fail)    caught        pass  inconclusive  error   caught where the correct twin did not fail');
  for (const p of s.planted) {
    lines.push(
      `  ${pad(`${p.which} × (1 + ${p.delta})`, 30)}  ${lpad(`${p.caught}/${p.total}`, 9)}  ${lpad(p.outcomes.pass, 6)}  ${lpad(p.outcomes.inconclusive, 12)}  ${lpad(p.outcomes.error, 5)}   ${p.twinOk.caught}/${p.twinOk.total}`,
    );
  }
  if (s.smallestCaught) {
    const entries = Object.entries(s.smallestCaught);
    const histogram = (which: 'jvp' | 'vjp') => {
      const h = new Map<string, number>();
      for (const [, v] of entries) h.set(String(v[which] ?? 'none'), (h.get(String(v[which] ?? 'none')) ?? 0) + 1);
      return [...h].sort((a, b) => Number(b[0]) - Number(a[0])).map(([k, n]) => `${k}: ${n}`).join(', ');
    };
    lines.push(`smallest planted delta caught at every seed (ladder ${LADDER.join(', ')}), ops per delta (meaningful only where the correct op passes):`);
    lines.push(`  jvp: ${histogram('jvp')}`);
    lines.push(`  vjp: ${histogram('vjp')}`);
    lines.push('  per op (jvp / vjp):');
    for (const [op, v] of entries) lines.push(`    ${pad(op, 52)} ${pad(v.jvp ?? 'none', 7)} / ${v.vjp ?? 'none'}`);
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const { quick, seeds, backends, json, ladder } = parseArgs(process.argv.slice(2));
  const records: CheckRecord[] = [];
  const summaries: BackendSummary[] = [];
  const skipped: string[] = [];
  const started = performance.now();
  for (const backend of backends) {
    let subjects: Subject[];
    const float32 = backend === 'float32' || backend === 'tfjs';
    if (backend === 'tfjs') {
      const tf = await import('@tensorflow/tfjs').catch((error: unknown) => {
        skipped.push(`tfjs skipped: @tensorflow/tfjs cannot be imported (${(error as Error).message})`);
        return undefined;
      });
      if (!tf) continue;
      const { TFJS_ENTRIES, TFJS_QUICK, makeTfjsOp } = await import('./tfjs.ts');
      const list: TfEntry[] = TFJS_ENTRIES.filter((e) => !quick || TFJS_QUICK.includes(e.name));
      subjects = list.map((entry) => ({ name: entry.name, make: (o) => makeTfjsOp(tf, entry, o) }));
    } else if ((BACKENDS as readonly string[]).includes(backend)) {
      const list = ENTRIES.filter((e) => !quick || QUICK.includes(e.name));
      subjects = list.map((entry) => ({ name: entry.name, make: (o) => makeOp(backend as (typeof BACKENDS)[number], entry, o) }));
    } else throw new Error(`unknown backend '${backend}' (float32, float64, noisy64, tfjs)`);
    await runBackend(backend, subjects, seeds, ladder && float32, records);
    const summary = summarize(backend, records, seeds, ladder && float32);
    summaries.push(summary);
    console.log(print(summary));
    console.log('');
  }
  for (const s of skipped) console.log(s);
  console.log(`total: ${records.length} checks in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (json) {
    writeFileSync(json, JSON.stringify({ seeds, quick, ladder, backends, summaries, skipped, checks: records }, null, 1));
    console.log(`wrote ${json}`);
  }
}

await main();
