// Micro-benchmark for src/ops/matmul.ts: one 64×64 @ 64×64 forward product, the backward of
// sum(A @ B), and gradcheck's fast mode on test/bench/ops/sum-matmul-64.ts.
// Run: node --import tsx test/bench/matmul-kernel.ts   (CPU-time medians, so a busy machine skews less)
import { Tensor, noGrad } from '../../src/core/index.ts';
import { checkOp } from '../../src/check/check-op.ts';
import { loadOps } from '../../src/load/load-ops.ts';
import { OPS_DIR, median } from './measure.ts';

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * CPU time per call over 15 batches of about 20 ms: the median, and the fastest batch, which other
 * jobs on a shared machine disturb least.
 */
function time(fn: () => void): [median: number, fastest: number] {
  for (let i = 0; i < 200; i++) fn();
  let count = 1;
  for (;;) {
    const started = cpuMs();
    for (let i = 0; i < count; i++) fn();
    if (cpuMs() - started >= 20) break;
    count *= 2;
  }
  const perCall: number[] = [];
  for (let r = 0; r < 15; r++) {
    const started = cpuMs();
    for (let i = 0; i < count; i++) fn();
    perCall.push((cpuMs() - started) / count);
  }
  return [median(perCall), Math.min(...perCall)];
}

const random = (n: number) => Float64Array.from({ length: n }, () => Math.random() - 0.5);
const a = new Tensor(random(64 * 64), [64, 64], true);
const b = new Tensor(random(64 * 64), [64, 64], true);
const [op] = await loadOps(`${OPS_DIR}/sum-matmul-64.ts`);

const rows: [string, [number, number]][] = [
  ['forward 64×64 @ 64×64 (no tape)', time(() => noGrad(() => a.matmul(b)))],
  ['sum(A @ B) forward + backward', time(() => a.matmul(b).sum().backward())],
  ['gradcheck fast, sum-matmul-64', time(() => checkOp(op, { mode: 'fast' }))],
];
console.log(`${''.padEnd(36)} median  fastest (ms of CPU)`);
for (const [name, [mid, fastest]] of rows) console.log(`${name.padEnd(36)} ${mid.toFixed(3)}   ${fastest.toFixed(3)}`);
