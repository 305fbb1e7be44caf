// Processes an op file leaves behind, as the tests look at them on Linux.
import { readFileSync } from 'node:fs';

/** Still running (a zombie waiting for its parent to reap it is not). */
export function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}
