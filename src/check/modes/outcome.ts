// What the stages of a check conclude, before checkOp lays it out as a report: the verdict, the
// report's rows (one per input, forward-mode rows after them) and the findings.
import type { MaterializedInput } from '../../spec/inputs.ts';
import type { CheckMode, Diagnosis, InputReport, JointComparison, MinimalCase, OutputReport, PointReport, PrimitiveReport } from '../../model/report.ts';
import type { Analytic } from '../analytic.ts';

/** What the stages after `prepare` conclude, before it is laid out as a report. */
export interface Outcome {
  status: 'pass' | 'fail';
  mode: CheckMode;
  inputs: InputReport[];
  diagnoses: Diagnosis[];
  maxRelErr: number;
  evaluations: number;
  joint?: JointComparison;
  dims?: Record<string, number>;
  points?: PointReport[];
  minimal?: MinimalCase;
  primitives?: PrimitiveReport[];
  outputs?: OutputReport[];
}

/**
 * The op's report rows in input order: the rows computed for the inputs that take a gradient, a
 * constant's row for each constant, and the reentrancy check's verdict on the input it concerns
 * (so that a backward that accumulates fails its input, and maxRelErr says so).
 */
export function reportRows(inputs: MaterializedInput[], computed: InputReport[], reentrancy: Analytic['reentrancy']): InputReport[] {
  const byName = new Map(computed.map((row) => [row.name, row]));
  return inputs.map((input, k): InputReport => {
    const row = byName.get(input.name) ?? constantRow(input);
    if (reentrancy?.input !== k) return row;
    return { ...row, passed: false, relErr: Math.max(row.relErr, reentrancy.relErr) };
  });
}

function constantRow(input: MaterializedInput): InputReport {
  return { name: input.name, shape: input.shape, passed: true, constant: true, relErr: 0, bestEps: NaN, worst: { index: [], analytic: NaN, numeric: NaN }, sweep: [] };
}

export function rowsOutcome(rows: InputReport[]): Pick<Outcome, 'status' | 'inputs' | 'maxRelErr'> {
  const compared = rows.filter((row) => !row.constant);
  return { status: rows.every((row) => row.passed) ? 'pass' : 'fail', inputs: rows, maxRelErr: Math.max(...compared.map((row) => row.relErr)) };
}

