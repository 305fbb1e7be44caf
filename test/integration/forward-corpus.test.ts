// Forward mode against reverse mode over the engine corpus (test/corpus/forward): on a quick subset
// (about thirty ops per backend, seeds 0–1), every correct op's jvp must pass (or be inconclusive,
// never a failure), and where it passes its vjp must pass too: the two verdicts agree. A jvp planted
// 1% or 0.1% off must fail in float64 and in float32 (float32: at least 1%; 0.1% is reported).
// Backends: float32 (every value rounded to float32), float64, noisy64 (float64 with transcendental
// functions accurate to ~1e-7), and tfjs ops with hand-written jvps (skipped, saying why, without tfjs).
// The full corpus, with more seeds and a delta ladder: npx tsx test/corpus/forward/run.ts
import { beforeAll, describe, expect, it } from 'vitest';
import { gradcheck } from '../../src/index.ts';
import type { Op, OpReport } from '../../src/index.ts';
import type { Backend } from '../corpus/forward/engine.ts';
import { ENTRIES, QUICK, makeOp } from '../corpus/forward/ops.ts';
import type { Plant } from '../corpus/forward/ops.ts';

const SEEDS = [0, 1];

const tf = await import('@tensorflow/tfjs').catch((error: unknown) => {
  console.log(`skipping the tfjs part of the forward-mode corpus: @tensorflow/tfjs cannot be imported (${(error as Error).message})`);
  return undefined;
});
const tfjs = tf ? await import('../corpus/forward/tfjs.ts') : undefined;

interface Subject {
  name: string;
  make: (options: { seed: number; plant?: Plant }) => Op;
}
interface Checked {
  name: string;
  seed: number;
  forward: OpReport;
  reverse: OpReport;
  planted: { delta: number; report: OpReport }[];
}

const describeOutcome = (r: OpReport) =>
  `${r.status}${r.verdict ? ` (${r.verdict})` : ''}, maxRelErr ${r.maxRelErr.toExponential(1)}${r.error ? `, ${r.error}` : ''}` +
  (r.diagnoses[0] ? `: ${r.diagnoses[0].code}: ${r.diagnoses[0].message.slice(0, 200)}` : '');

async function checkAll(subjects: Subject[]): Promise<Checked[]> {
  const out: Checked[] = [];
  for (const subject of subjects) {
    for (const seed of SEEDS) {
      const forward = await gradcheck(subject.make({ seed }), { seed, ad: 'forward' });
      const reverse = await gradcheck(subject.make({ seed }), { seed, ad: 'reverse' });
      const planted = [];
      for (const delta of [1e-2, 1e-3]) planted.push({ delta, report: await gradcheck(subject.make({ seed, plant: { which: 'jvp', delta } }), { seed, ad: 'forward' }) });
      out.push({ name: subject.name, seed, forward, reverse, planted });
    }
  }
  return out;
}

const backends: { name: string; float32: boolean; subjects: () => Subject[]; skip?: boolean }[] = [
  ...(['float32', 'float64', 'noisy64'] as Backend[]).map((backend) => ({
    name: backend,
    float32: backend === 'float32',
    subjects: () => ENTRIES.filter((e) => QUICK.includes(e.name)).map((entry) => ({ name: entry.name, make: (o: { seed: number; plant?: Plant }) => makeOp(backend, entry, o) })),
  })),
  {
    name: 'tfjs',
    float32: true,
    skip: !tfjs,
    subjects: () => tfjs!.TFJS_ENTRIES.filter((e) => tfjs!.TFJS_QUICK.includes(e.name)).map((entry) => ({ name: entry.name, make: (o: { seed: number; plant?: Plant }) => tfjs!.makeTfjsOp(tf!, entry, o) })),
  },
];

for (const backend of backends) {
  describe.skipIf(!!backend.skip)(`forward-mode corpus, ${backend.name}`, () => {
    let checked: Checked[] = [];
    beforeAll(async () => {
      const subjects = backend.subjects();
      expect(subjects.length).toBeGreaterThanOrEqual(25);
      checked = await checkAll(subjects);
    }, 120_000);

    it('passes every correct vjp (reverse mode)', () => {
      const wrong = checked.filter((c) => c.reverse.status !== 'pass').map((c) => `${c.name} at seed ${c.seed}: ${describeOutcome(c.reverse)}`);
      expect(wrong).toEqual([]);
    });

    it('passes every correct jvp, or is inconclusive: never a failure, never a failure that is also inconclusive', () => {
      const wrong = checked.filter((c) => c.forward.status !== 'pass').map((c) => `${c.name} at seed ${c.seed}: ${describeOutcome(c.forward)}`);
      expect(wrong).toEqual([]);
      const mixed = checked.filter((c) => c.forward.status === 'fail' && c.forward.verdict === 'inconclusive').map((c) => `${c.name} at seed ${c.seed}`);
      expect(mixed).toEqual([]);
    });

    it("gives a correct op's jvp the verdict its vjp gets (both status 'pass')", () => {
      const differing = checked
        .filter((c) => c.forward.status !== c.reverse.status || c.forward.status !== 'pass')
        .map((c) => `${c.name} at seed ${c.seed}: forward ${c.forward.status}${c.forward.verdict ? `/${c.forward.verdict}` : ''}, reverse ${c.reverse.status}${c.reverse.verdict ? `/${c.reverse.verdict}` : ''}`);
      expect(differing).toEqual([]);
    });

    // Planted jvps are asserted on float64 and the float32 backends; noisy64's are reported only.
    const asserted = backend.name !== 'noisy64';
    it(`${asserted ? 'fails' : 'reports'} a jvp planted 1% off${backend.float32 ? '' : ' and 0.1% off'}${backend.float32 ? ' (0.1% reported)' : ''}`, () => {
      const missed = (delta: number) =>
        checked.flatMap((c) => c.planted.filter((p) => p.delta === delta && p.report.status !== 'fail').map((p) => `${c.name} at seed ${c.seed}: ${describeOutcome(p.report)}`));
      const total = checked.length;
      for (const delta of [1e-2, 1e-3]) {
        const m = missed(delta);
        console.log(`${backend.name}: jvp × (1 + ${delta}) caught ${total - m.length}/${total}${m.length ? `; missed: ${m.join(' | ')}` : ''}`);
      }
      if (!asserted) return;
      expect(missed(1e-2)).toEqual([]);
      if (!backend.float32) expect(missed(1e-3)).toEqual([]);
    });
  });
}
