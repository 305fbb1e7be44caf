// x.mul(k).tanh().sum() for k = 100, 110, …, 200, shapes [8], [4, 4] and [16], seeds 0–19: how many
// checks pass, are inconclusive, fail (a false failure: the op is correct). Run by hand:
//   npx tsx test/corpus/steep.ts      (EXPLORE=24 checks them under --explore 24)
import { checkOp } from '../../src/check/check-op.ts';
import { defineOp } from '../../src/index.ts';

const explore = Number(process.env.EXPLORE ?? 0);
const counts = { pass: 0, inconclusive: 0, fail: 0, error: 0, skipped: 0 };
for (let k = 100; k <= 200; k += 10) {
  for (const shape of [[8], [4, 4], [16]]) {
    for (let seed = 0; seed < 20; seed++) {
      const op = defineOp({ name: `tanh(${k}x) ${shape}`, inputs: { x: shape }, forward: ({ x }) => x.mul(k).tanh().sum() });
      const report = checkOp(op, { seed, explore });
      if (report.status === 'pass') counts[report.verdict === 'inconclusive' ? 'inconclusive' : 'pass']++;
      else counts[report.status]++;
    }
  }
}
console.log(JSON.stringify(counts));
