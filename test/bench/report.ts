// Runs the benchmark side by side and prints one table: gradcheck and torch.autograd.gradcheck on
// the same seven ops, default and fast mode, the forward-evaluation floor, cold start and memory.
// A benchmark, not a test: nothing here fails `npm test`; the goals are printed, not asserted.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Table from 'cli-table3';
import { builtIsCurrent } from '../../bin/built.js';
import { OPS_DIR, fastBreakdown, findTorchPython, float32Twin, loadBenchOps, median, timeCheck, timeFloor, wallElementWise } from './measure.ts';
import type { CheckTiming, Clock, ModeName } from './measure.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const CLI = join(ROOT, 'bin', 'gradcheck.js');
const PEER = join(HERE, 'torch_peer.py');

interface PeerResult {
  torch: string;
  threads: number;
  ops: { name: string; defaultMs: number; defaultWallMs: number; fastMs: number }[];
}

/** The op whose element-wise check is large enough to be split over the cores. */
const LARGE_OP = 'sum(matmul 64x64 @ 64x64)';
const FAST_RUNS_FACTOR = 5;

interface Options {
  runs: number;
  clock: Clock;
  json: boolean;
  peer: boolean;
}

function parseArgs(argv: string[]): Options {
  const runsAt = argv.indexOf('--runs');
  return {
    runs: runsAt >= 0 ? Number(argv[runsAt + 1]) : 5,
    // CPU time by default: on a machine shared with other jobs, wall time mostly measures the scheduler.
    clock: argv.includes('--wall') ? 'wall' : 'cpu',
    json: argv.includes('--json'),
    peer: !argv.includes('--no-peer'),
  };
}

/** /usr/bin/python3 first: Debian's python3-torch lives there, while `python3` on PATH may be another one. */
function geomean(values: number[]): number {
  const finite = values.filter((v) => Number.isFinite(v) && v > 0);
  return finite.length ? Math.exp(finite.reduce((s, v) => s + Math.log(v), 0) / finite.length) : NaN;
}

const ms = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '–' : v < 10 ? v.toFixed(2) : v.toFixed(1));
const ratio = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(2));

const TIME = '/usr/bin/time';

/** CPU (or wall) milliseconds of one run of a command, which must succeed. */
function processRunMs(command: string, args: string[], clock: Clock): number {
  const useCpu = clock === 'cpu' && existsSync(TIME);
  const started = performance.now();
  const result = useCpu
    ? spawnSync(TIME, ['-f', 'cpu %U %S', command, ...args], { cwd: ROOT, encoding: 'utf8' })
    : spawnSync(command, args, { cwd: ROOT, encoding: 'utf8' });
  const wall = performance.now() - started;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  const cpu = /cpu ([\d.]+) ([\d.]+)/.exec(result.stderr);
  return useCpu && cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : wall;
}

/**
 * Median times of several commands, run in turns (a, b, a, b, …) so that a change in the machine's
 * load during the measurement weighs on each alike. A first untimed round warms the disk caches.
 */
function processMedians(commands: [string, string[]][], runs: number, clock: Clock): number[] {
  const times: number[][] = commands.map(() => []);
  for (let r = 0; r <= runs; r++) {
    commands.forEach(([command, args], k) => {
      const ms = processRunMs(command, args, clock);
      if (r > 0) times[k].push(ms);
    });
  }
  return times.map(median);
}

/** Peak RSS in MB of `gradcheck run` over the seven op files, in a fresh process. */
function peakMemoryMb(): number {
  const result = spawnSync(process.execPath, ['--import', join(HERE, 'max-rss.js'), CLI, 'run', OPS_DIR, '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const match = /maxRSS (\d+)/.exec(result.stderr);
  if (!match) throw new Error(`no maxRSS from the seven-op run (exit ${result.status}): ${result.stderr}`);
  return Number(match[1]) / 1024;
}

export async function main(argv: string[]): Promise<number> {
  const options = parseArgs(argv);
  const ops = await loadBenchOps();
  const log = (line: string) => process.stderr.write(`${line}\n`);

  log(`gradcheck, in process: ${ops.length} ops, median ${options.clock} time of ${options.runs} runs after a warm-up`);
  const measure = (mode: ModeName, runs: number) => ops.map((op) => timeCheck(op, mode, runs, options.clock));
  const defaults = measure('default', options.runs) as CheckTiming[];
  // A fast check takes a few ms at most, where one garbage collection doubles a run: five times the
  // runs (torch_peer.py does the same for fast_mode).
  const fastTimings = measure('fast', FAST_RUNS_FACTOR * options.runs);
  // The element-wise check against its floor, each run followed by a batch of forwards.
  const elementWise = ops.map((op) => timeFloor(op, options.runs, options.clock));
  const breakdowns = ops.map((op, i) => (fastTimings[i] ? fastBreakdown(op, fastTimings[i]!, options.clock) : undefined));
  log('float32 twins …');
  const float32 = ops.map((op) => timeCheck(float32Twin(op), 'default', options.runs, options.clock));
  const largeOp = ops.find((op) => op.name === LARGE_OP);
  log(`${LARGE_OP} element-wise, wall clock …`);
  const largeWall = largeOp ? wallElementWise(largeOp, options.runs) : undefined;

  let peer: PeerResult | undefined;
  let peerNote = '';
  let python: string | undefined;
  if (options.peer) {
    const found = findTorchPython();
    python = found.python;
    if (python) {
      log(`torch.autograd.gradcheck via ${python} …`);
      peer = JSON.parse(execFileSync(python, [PEER, '--runs', String(options.runs), '--clock', options.clock], { encoding: 'utf8' })) as PeerResult;
    } else peerNote = `peer skipped: ${found.why}`;
  } else peerNote = 'peer skipped (--no-peer)';

  // Cold start is the CLI as installed: its built JavaScript (bin/gradcheck.js falls back to the
  // TypeScript sources when dist/ is older than them, as in a checkout edited since its build).
  if (!builtIsCurrent()) {
    log('building dist/ (older than src/) …');
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  log('cold start and memory …');
  const coldRuns = 5;
  const gradcheckRun: [string, string[]] = [process.execPath, [CLI, 'run', join(OPS_DIR, 'tanh.ts')]];
  const [coldGradcheck, coldTorch = NaN] = processMedians(
    python ? [gradcheckRun, [python, [PEER, '--once', 'tanh']]] : [gradcheckRun],
    coldRuns,
    options.clock,
  );
  const wholeRun: [string, string[]] = [process.execPath, [CLI, 'run', OPS_DIR]];
  const [wholeGradcheck, wholeTorch = NaN] = processMedians(
    python ? [wholeRun, [python, [PEER, '--once', 'all']]] : [wholeRun],
    3,
    options.clock,
  );
  const memoryMb = peakMemoryMb();

  const rows = ops.map((op, i) => {
    const torch = peer?.ops.find((p) => p.name === op.name);
    const def = defaults[i];
    const ew = elementWise[i];
    const fast = fastTimings[i];
    return {
      op: op.name,
      defaultMode: def.mode,
      defaultMs: def.ms,
      torchMs: torch?.defaultMs,
      defaultRatio: torch ? def.ms / torch.defaultMs : NaN,
      fastMs: fast?.ms ?? NaN,
      torchFastMs: torch?.fastMs,
      fastRatio: torch && fast ? fast.ms / torch.fastMs : NaN,
      elementWiseMs: ew?.ms ?? NaN,
      evaluations: ew?.evaluations ?? NaN,
      forwardUs: (ew?.forwardMs ?? NaN) * 1000,
      floorRatio: ew?.ratio ?? NaN,
      fastBreakdown: breakdowns[i],
      float32Ms: float32[i]?.ms ?? NaN,
      float32Mode: float32[i]?.mode,
      float32Ratio: (float32[i]?.ms ?? NaN) / def.ms,
      statuses: [def, ew, fast, float32[i]].flatMap((t) => (t ? [t.status] : [])),
    };
  });
  const largeTorch = peer?.ops.find((p) => p.name === LARGE_OP);
  const summary = {
    defaultGeomean: geomean(rows.map((r) => r.defaultRatio)),
    defaultWorst: Math.max(...rows.map((r) => r.defaultRatio)),
    fastGeomean: geomean(rows.map((r) => r.fastRatio)),
    fastWorst: Math.max(...rows.map((r) => r.fastRatio).filter(Number.isFinite)),
    largeElementWiseWallMs: largeWall?.ms ?? NaN,
    largeTorchWallMs: largeTorch?.defaultWallMs ?? NaN,
    largeRatio: (largeWall?.ms ?? NaN) / (largeTorch?.defaultWallMs ?? NaN),
    float32Worst: Math.max(...rows.map((r) => r.float32Ratio).filter(Number.isFinite)),
    float32Geomean: geomean(rows.map((r) => r.float32Ratio)),
    wholeGradcheckMs: wholeGradcheck,
    wholeTorchMs: wholeTorch,
    wholeRatio: wholeGradcheck / wholeTorch,
    // Per op, the check's whole time against its evaluations; a sum over ops would be the largest op's alone.
    floorRatio: geomean(rows.map((r) => r.floorRatio)),
    floorWorst: Math.max(...rows.map((r) => r.floorRatio).filter(Number.isFinite)),
    coldGradcheckMs: coldGradcheck,
    coldTorchMs: coldTorch,
    coldRatio: coldGradcheck / coldTorch,
    memoryMb,
  };

  if (options.json) {
    process.stdout.write(`${JSON.stringify({ runs: options.runs, clock: options.clock, torch: peer?.torch, load: loadavg()[0], rows, summary }, null, 2)}\n`);
    return 0;
  }

  const table = new Table({
    head: ['op', 'gradcheck ms', 'torch ms', 'ratio', 'fast ms', 'torch fast ms', 'ratio', 'element-wise ms', 'evals', 'forward µs', 'floor ratio'],
  });
  for (const r of rows) {
    table.push([r.op, r.defaultMode === 'element-wise' ? ms(r.defaultMs) : `${ms(r.defaultMs)} (${r.defaultMode})`, ms(r.torchMs), ratio(r.defaultRatio), ms(r.fastMs), ms(r.torchFastMs),
      ratio(r.fastRatio), ms(r.elementWiseMs), Number.isFinite(r.evaluations) ? r.evaluations : '–', r.forwardUs.toFixed(2), ratio(r.floorRatio)]);
  }
  table.push(['geometric mean', '', '', ratio(summary.defaultGeomean), '', '', ratio(summary.fastGeomean), '', '', '', ratio(summary.floorRatio)]);
  console.log(table.toString());
  for (const r of rows) {
    const bad = r.statuses.filter((s) => s !== 'pass');
    if (bad.length) console.log(`note: ${r.op}: ${[...new Set(bad)].join('; ')}`);
  }
  if (peerNote) console.log(peerNote);
  else console.log(`peer: torch ${peer?.torch} (${peer?.threads} threads) under ${python}`);
  console.log(`times: median ${options.clock === 'cpu' ? 'CPU time (user + system) of the process' : 'wall time'}, ${options.runs} runs after a warm-up`);
  console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.versions.node}, load average ${loadavg()[0].toFixed(1)} at the end`);

  console.log('');
  const split = new Table({ head: ['fast mode', 'ms', 'evaluations', 'ms in them', 'backwards', 'ms in them', 'rest ms', 'float32 ms', 'float32 / float64'] });
  for (const r of rows) {
    const b = r.fastBreakdown;
    split.push([r.op, ms(b?.ms), b?.evaluations ?? '–', ms(b?.evaluationsMs), b?.backwards ?? '–', ms(b?.backwardsMs), ms(b?.overheadMs), `${ms(r.float32Ms)}${r.float32Mode === 'float32-directional' ? '' : ` (${r.float32Mode})`}`, ratio(r.float32Ratio)]);
  }
  console.log(split.toString());

  const goal = (label: string, value: number, limit: number, unit = '') =>
    console.log(`${Number.isFinite(value) ? (value <= limit ? 'met ' : 'MISS') : '  – '}  ${label}: ${Number.isFinite(value) ? value.toFixed(2) : 'not measured'}${unit} (goal ≤ ${limit}${unit})`);
  goal('default mode, geomean gradcheck/torch', summary.defaultGeomean, 0.25);
  goal('default mode, worst op gradcheck/torch', summary.defaultWorst, 1.0);
  goal('fast mode, geomean gradcheck/torch fast_mode', summary.fastGeomean, 0.7);
  goal('fast mode, worst op gradcheck/torch fast_mode', summary.fastWorst, 1.5);
  goal(`${LARGE_OP} element-wise on ${cpus().length} cores, wall ${ms(summary.largeElementWiseWallMs)} ms / torch default ${ms(summary.largeTorchWallMs)} ms`, summary.largeRatio, 0.6);
  goal(`element-wise time / (evaluations × one forward), geomean (worst op ${ratio(summary.floorWorst)})`, summary.floorRatio, 1.3);
  goal(`whole run of the seven ops, gradcheck ${ms(wholeGradcheck)} ms / torch ${ms(wholeTorch)} ms`, summary.wholeRatio, 0.3);
  goal(`cold start on one op, gradcheck ${ms(coldGradcheck)} ms / torch ${ms(coldTorch)} ms`, summary.coldRatio, 0.3);
  goal('peak memory of the seven-op run', memoryMb, 200, ' MB');
  goal(`float32 check / float64 check of the same op, worst op (geomean ${ratio(summary.float32Geomean)})`, summary.float32Worst, 2);
  if (!existsSync(PEER)) console.log(`missing ${PEER}`);
  return 0;
}
