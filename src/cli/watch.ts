// `gradcheck run --watch`: the loop of someone fixing a backward. Watches the folders of the op files;
// a saved op file re-runs that file, any other saved source file there (a helper an op file may
// import) re-runs them all. Saves that come in a burst (editors write twice, formatters rewrite)
// are gathered into one run, and a save during a run queues one more run after it.
//
// Each run imports the op files afresh: the isolated runner checks them in new worker threads, whose
// module caches start empty, so an edited file (and what it imports) is never served stale.
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { RunFile } from '../run/scheduler.ts';

const SOURCE_FILE = /\.(ts|mts|cts|js|mjs|cjs|json)$/;
export const DEFAULT_DEBOUNCE_MS = 150;

export interface WatchOptions {
  /** The op files of the next run, found again on every change (a directory may gain a file). */
  resolveFiles: () => RunFile[];
  /** Runs the given op files and prints their report; resolves to the run's exit code. */
  run: (files: RunFile[], changed: string[]) => Promise<number>;
  /** Quiet time after the last save before a run starts. */
  debounceMs?: number;
  /** A run's exit code that ends the watch (Ctrl-C during a run). */
  stopOn?: (code: number) => boolean;
}

export interface Watcher {
  /**
   * Resolves when the watch ends: closed, or a run's exit code matched `stopOn`. Rejects with the
   * error of a run that threw (a usage error such as --op naming no op): the watch ends with it.
   */
  done: Promise<number>;
  close(): void;
}

/** Runs every op file once, then again for each burst of saves, until closed. */
export function watchOpFiles(options: WatchOptions): Watcher {
  const { resolveFiles, run, debounceMs = DEFAULT_DEBOUNCE_MS, stopOn = () => false } = options;
  const watchers = new Map<string, FSWatcher>();
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let busy = false;
  let again = false;
  let closed = false;
  let finish: (code: number) => void = () => {};
  let abandon: (error: unknown) => void = () => {};
  const done = new Promise<number>((resolveDone, rejectDone) => {
    finish = resolveDone;
    abandon = rejectDone;
  });
  let lastCode = 0;

  const stop = (): boolean => {
    if (closed) return false;
    closed = true;
    clearTimeout(timer);
    for (const watcher of watchers.values()) watcher.close();
    watchers.clear();
    return true;
  };
  const close = (): void => {
    if (stop()) finish(lastCode);
  };
  const fail = (error: unknown): void => {
    if (stop()) abandon(error);
  };

  const watchFolders = (files: RunFile[]): void => {
    for (const folder of new Set(files.map((file) => dirname(file.path)))) {
      if (watchers.has(folder)) continue;
      const watcher = watch(folder, (_event, name) => {
        if (name && SOURCE_FILE.test(name)) onSave(join(folder, name.toString()));
      });
      watcher.on('error', () => {}); // a folder deleted while watched: nothing left to watch there
      watchers.set(folder, watcher);
    }
  };

  const onSave = (file: string): void => {
    if (closed) return;
    pending.add(resolve(file));
    clearTimeout(timer);
    timer = setTimeout(() => void startRun(), debounceMs);
  };

  // One run at a time: saves during a run are gathered and run right after it.
  const startRun = async (): Promise<void> => {
    if (busy) return void (again = true);
    busy = true;
    try {
      do {
        again = false;
        const changed = [...pending];
        pending = new Set();
        if (changed.length > 0 && !closed) await runFor(changed);
      } while (again && !closed);
    } catch (error) {
      fail(error);
    } finally {
      busy = false;
    }
  };

  const runFor = async (changed: string[]): Promise<void> => {
    let files: RunFile[];
    try {
      files = resolveFiles();
    } catch {
      return; // a path was removed; wait for the next save
    }
    watchFolders(files);
    const touchedOps = files.filter((file) => changed.includes(file.path));
    // A changed file that is not itself an op file may be imported by any of them.
    const affected = touchedOps.length === changed.length ? touchedOps : files;
    if (affected.length === 0) return;
    lastCode = await run(affected, changed);
    if (stopOn(lastCode)) close();
  };

  const first = resolveFiles();
  watchFolders(first);
  busy = true;
  void run(first, [])
    .then((code) => {
      lastCode = code;
      if (stopOn(code)) close();
    }, fail)
    .finally(() => {
      busy = false;
      if (again) void startRun();
    });
  return { done, close };
}
