/** Sets up this process (or worker) to import op files: tsx, and 'gradcheck' resolving to this copy. Idempotent. */
export function setupRuntime(): Promise<unknown>;
/** This copy is the built JavaScript (dist/), not the TypeScript sources. */
export const compiled: boolean;
