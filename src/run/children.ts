// Processes an op file started and left behind. An op file's code runs in a worker thread, so the
// processes it spawns are children of gradcheck's own process, and nothing ends them when the file
// is done: a `sleep` an op started ran on after gradcheck exited 0, and with stdout inherited it
// kept `gradcheck … | cat` waiting. Linux says which thread forked each child
// (/proc/<pid>/task/<tid>/children), and gradcheck's own children are forked by other threads
// (esbuild's services, from tsx's threads), so the children of a worker's thread are its files'.
// When a file ends, or its op is stopped (--timeout, a signal), the scheduler stops them with
// their own children: SIGTERM, then SIGKILL for those still running a moment later, or at exit.
// Elsewhere /proc is missing and nothing is found.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** A process left behind, as the warning names it. */
export interface LeftoverProcess {
  pid: number;
  command: string;
}

/** How long a process has after SIGTERM before SIGKILL. */
const GRACE_MS = 500;

/** Processes sent SIGTERM, with when their grace ends: then SIGKILL if still running, or when gradcheck exits. */
const stopping = new Map<number, number>();

/** The operating system's id of the calling thread (Linux); undefined elsewhere. */
export function osThreadId(): number | undefined {
  try {
    // "<pid>/task/<tid>": the link names the thread that reads it.
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Stops every live process the thread `tid` of this process started (and their children), and
 * returns them for the warning. Never waits: SIGKILL follows on a timer that keeps nothing alive.
 */
export function stopLeftovers(tid: number | undefined): LeftoverProcess[] {
  if (tid === undefined) return [];
  const children = childrenOf(`/proc/${process.pid}/task/${tid}/children`).filter((pid) => !stopping.has(pid) && alive(pid));
  if (children.length === 0) return [];
  const found = children.map((pid) => ({ pid, command: commandLine(pid) }));
  // The tree first, children before their parent dies and they move to init, out of sight.
  const tree = children.flatMap((pid) => [pid, ...descendants(pid)]);
  for (const pid of tree) signal(pid, 'SIGTERM');
  for (const pid of tree) stopping.set(pid, Date.now() + GRACE_MS);
  setTimeout(() => killSurvivors(Date.now()), GRACE_MS).unref();
  return found;
}

/** SIGKILL to every process whose grace ended by `now` and that still runs. */
function killSurvivors(now: number): void {
  for (const [pid, deadline] of stopping) {
    if (deadline > now) continue;
    if (alive(pid)) signal(pid, 'SIGKILL');
    stopping.delete(pid);
  }
}

// Whatever is still stopping when gradcheck exits gets SIGKILL: the run never waits on it, nor leaves it running.
process.on('exit', () => killSurvivors(Infinity));

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Gone already.
  }
}

/** Pids listed in a /proc children file (empty when unreadable: not Linux, or no such thread). */
function childrenOf(file: string): number[] {
  try {
    return readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Every process below `pid`, forked by any of its threads. */
function descendants(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children = tasks.flatMap((tid) => childrenOf(`/proc/${pid}/task/${tid}/children`));
  return children.flatMap((child) => [child, ...descendants(child)]);
}

/** Running, not a zombie waiting to be reaped (a child that already exited is no leftover). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The process's command line, shortened for a warning. */
function commandLine(pid: number): string {
  try {
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    return command.length > 80 ? `${command.slice(0, 77)}...` : command || `pid ${pid}`;
  } catch {
    return `pid ${pid}`;
  }
}
