/** Sets up this process (or worker) to import op files: tsx, and 'gradcheck' resolving to this copy. Idempotent. */
export function setupRuntime(): Promise<unknown>;
