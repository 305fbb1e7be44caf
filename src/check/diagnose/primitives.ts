// The guilty primitive: each customOp call on the tape is checked alone, at the inputs it saw during
// the forward and under a random cotangent of its own, so that a backward wrong under some
// cotangent fails even where the composite hands it only ones (an op ending in .sum()), and the
// report names the backward that is wrong and where it was called. Built-in ops are trusted.
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineOp } from '../../spec/define.ts';
import type { InputSpec, Op } from '../../spec/define.ts';
import { stackLocations } from '../../spec/stack.ts';
import type { SourceLocation } from '../../spec/stack.ts';
import { scaledBy, short } from '../../model/words.ts';
import type { CustomCall, Problem } from '../problem.ts';
import type { Diagnosis, OpReport, PrimitiveReport } from '../../model/report.ts';

/** Calls checked at most (each a full check of its own). */
const MAX_PRIMITIVES = 16;

// gradcheck's own sources or build: frames there are not the user's call site.
const OWN_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const OWN_DIRS = ['src/', 'dist/'].map((dir) => OWN_ROOT + dir);

/** One op per distinct customOp call site on the tape, ready to be checked alone. */
export function primitiveOps(problem: Problem): { op: Op; call: CustomCall }[] {
  const calls = problem.customCalls?.() ?? [];
  const seen = new Set<string>();
  const ops: { op: Op; call: CustomCall }[] = [];
  for (const call of calls) {
    if (ops.length >= MAX_PRIMITIVES) break;
    if (!call.inputs.some((input) => input.grad)) continue;
    const site = callSite(call.stack);
    const key = `${call.name}@${site?.file}:${site?.line}:${site?.column}`;
    if (seen.has(key)) continue;
    seen.add(key);
    ops.push({ op: primitiveOp(call, site), call });
  }
  return ops;
}

function primitiveOp(call: CustomCall, site: SourceLocation | undefined): Op {
  const names = uniqueNames(call.inputNames);
  const inputs: Record<string, InputSpec> = {};
  call.inputs.forEach((input, i) => (inputs[names[i]] = { shape: input.shape, values: input.data, grad: input.grad }));
  const op = defineOp({ name: `customOp '${call.name}'`, inputs, forward: (tensors) => call.call(...names.map((name) => tensors[name])) });
  return { ...op, location: site };
}

function uniqueNames(names: string[]): string[] {
  return names.map((name, i) => (names.indexOf(name) === i ? name : `${name} (${i})`));
}

function callSite(stack: string | undefined): SourceLocation | undefined {
  return stackLocations(stack).find(isUsers);
}

function isUsers(location: SourceLocation): boolean {
  return !location.file.startsWith('node:') && !OWN_DIRS.some((dir) => location.file.startsWith(dir));
}

/** The first frame in the user's code, with its file as the report shows it (relative to the project). */
export function ownFrame(locations: SourceLocation[]): (SourceLocation & { shown: string }) | undefined {
  const frame = locations.find(isUsers);
  return frame && { ...frame, shown: projectPath(frame.file) };
}

/**
 * A file relative to its project's root (the nearest folder upwards with a package.json), wherever
 * the run was started from; relative to the working directory when it lies in no project.
 */
export function projectPath(file: string): string {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return relative(dir, file) || file;
    if (dirname(dir) === dir) return relative(process.cwd(), file) || file;
  }
}

/** The checked calls as report entries, and one diagnosis that names the guilty ones (or says none is). */
/**
 * `composite`: the op itself passed, under the cotangent it hands its calls (all ones under .sum()):
 * a guilty call is wrong only under some other cotangent, which the message says.
 */
export function namePrimitives(checked: { op: Op; report: OpReport }[], compositePassed = false): { primitives: PrimitiveReport[]; diagnosis?: Diagnosis } {
  if (checked.length === 0) return { primitives: [] };
  const primitives = checked.map(({ op, report }): PrimitiveReport => ({
    name: report.name,
    ...(op.location ? { file: projectPath(op.location.file), line: op.location.line } : {}),
    status: report.status,
    maxRelErr: report.maxRelErr,
    inputs: report.inputs.filter((input) => !input.constant).map(({ name, passed, relErr }) => ({ name, passed, relErr })),
    diagnoses: report.diagnoses,
    ...(report.error ? { error: report.error } : {}),
  }));
  const guilty = primitives.filter((p) => p.status === 'fail');
  if (guilty.length === 0) {
    return {
      primitives,
      diagnosis: {
        code: 'culprit',
        message:
          `each of the ${primitives.length} customOp calls on the tape passes when checked alone at the inputs it saw: the error ` +
          `lies in how their results are combined (a .detach(), a read of .data, a plain-number computation between them).`,
      },
    };
  }
  const parts = guilty.map((p) => {
    const at = p.file ? ` at ${p.file}:${p.line}` : '';
    const wrong = p.inputs.filter((input) => !input.passed).map((input) => {
      const pattern = p.diagnoses.find((d) => d.input === input.name && d.code !== 'non-differentiable');
      return `input '${input.name}': ${pattern ? describePattern(pattern) : 'wrong'} (relative error ${short(input.relErr)})`;
    });
    // Wrong as a contract rather than in its numbers (it ignores or writes into what it is handed): its codes say how.
    const broken = [...new Set(p.diagnoses.map((d) => d.code))].join(', ');
    return `${p.name}${at}, ${wrong.join('; ') || broken || 'its backward'}`;
  });
  const unseen = compositePassed
    ? ' The op as a whole passes: the gradient it hands down (all ones under .sum()) hides it, and an op using it differently gets wrong gradients.'
    : '';
  return {
    primitives,
    diagnosis: {
      code: 'culprit',
      message: `checked alone at the inputs it saw, under a random cotangent, ${guilty.length === 1 ? 'this backward is' : 'these backwards are'} wrong: ${parts.join('; ')}.${unseen}`,
    },
  };
}

/** "scaled 0.10% too large" from a diagnosis that found one constant ratio, else its code. */
function describePattern({ code, detail }: Diagnosis): string {
  return detail?.ratio !== undefined && code === 'scaled' ? `${code} ${scaledBy(detail.ratio)}` : code;
}
