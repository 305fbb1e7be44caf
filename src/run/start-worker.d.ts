import type { Worker } from 'node:worker_threads';

export const DEFAULT_MEMORY_MB: number;
export function prestartWorker(): void;
export function takeWorker(memoryMb: number): Worker;
