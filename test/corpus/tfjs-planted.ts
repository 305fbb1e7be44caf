// The smallest planted error the float32 check catches on tfjs: each op of plantedErrors with its
// first input's gradient × (1 + δ), δ from 1e-2 down, at seeds 0–4. Run by hand:
//   npx tsx test/corpus/tfjs-planted.ts
import * as tf from '@tensorflow/tfjs';
import { checkOp } from '../../src/check/check-op.ts';
import { plantedErrors } from '../fixtures/tfjs/corpus.ts';
const deltas = [0, 1e-2, 1e-3, 3e-4, 1e-4, 3e-5, 1e-5];
const table = new Map<number, string[]>();
for (const delta of deltas) {
  plantedErrors(tf, delta).forEach((op, i) => {
    let failed = 0; const notes: string[] = [];
    for (let seed = 0; seed < 5; seed++) {
      const r = checkOp(op, { seed });
      if (r.status === 'fail') failed++;
      if (r.status === 'error') notes.push(r.error!);
      if (r.verdict) notes.push('incon');
    }
    const row = table.get(i) ?? [op.name.split(',')[0]];
    row.push(`${delta}:${failed}/5${notes.length ? '(' + notes.join(';').slice(0, 80) + ')' : ''}`);
    table.set(i, row);
  });
}
for (const row of table.values()) console.log(row.join('  '));
