/** Sets up this process (or worker) to import op files: tsx, and 'gradcheck' resolving to this copy. Idempotent. */
export function setupRuntime(): Promise<unknown>;
/** Built: op files are required through tsx's in-thread CommonJS hook, ES module support set up only when a file needs it. Idempotent. */
export function setupRequireRuntime(): Promise<unknown>;
/** The op file's module namespace (for a required file, `{ default: module.exports }`). */
export function importOpFile(path: string, options?: { fresh?: boolean }): Promise<Record<string, unknown>>;
/** This copy is the built JavaScript (dist/), not the TypeScript sources. */
export const compiled: boolean;
