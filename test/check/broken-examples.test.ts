// Every bundled broken example (examples/broken) fails and is diagnosed with its bug, and the table
// says so in words. In process; that `gradcheck run examples` fails them with exit 1 is in
// test/run.test.ts.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkFiles, plain } from '../helpers/in-process.ts';
import type { OpReport } from '../../src/model/report.ts';
import { formatOpTable } from '../../src/report/table.ts';

const BROKEN = 'examples/broken';
let ops: OpReport[];
beforeAll(async () => {
  const files = readdirSync(BROKEN).filter((file) => file.endsWith('.ts')).sort().map((file) => join(BROKEN, file));
  ops = (await checkFiles(files)).ops;
});
const op = (name: string) => ops.find((o) => o.name === name)!;

describe('the bundled broken examples', () => {
  it('each fails with the diagnosis of its bug', () => {
    const expected: Record<string, string> = {
      'detach() severs the graph': 'detached',
      'forgot zero_grad': 'accumulated',
      'gelu (0.1% off)': 'mismatch',
      'dW = dYᵀ @ X': 'transposed',
      'dW = dY @ X.T': 'mismatch',
      '= instead of +=': 'overwritten',
    };
    expect(ops.map((o) => o.name).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, diagnosis] of Object.entries(expected)) {
      expect(op(name).status, name).toBe('fail');
      expect(op(name).diagnoses.map((d) => d.code), name).toContain(diagnosis);
    }
  });

  it('the table names a transposed gradient, and suspects the operand order of a square matmul', () => {
    expect(plain(() => formatOpTable(op('dW = dYᵀ @ X')))).toMatch(/⚠ transposed \(w\): the analytic gradient of 'w' equals the numeric one transposed/);
    expect(plain(() => formatOpTable(op('dW = dY @ X.T')))).toMatch(/'w' is square \[4, 4\]: if it is a matmul operand, check the order of the operands/);
  });
});
