// The report tests' fixtures, beside the shared CLI runner.
import { fileURLToPath } from 'node:url';

export { BIN, REPO, gradcheck } from '../helpers/cli.ts';
export type { CliRun } from '../helpers/cli.ts';
export const FIXTURES = fileURLToPath(new URL('./fixtures', import.meta.url));
