// Colours follow the terminal. chalk already leaves them out when stdout is not a TTY and forces
// them with FORCE_COLOR; NO_COLOR (no-color.org) it ignores, so it is honoured here, with
// FORCE_COLOR still winning as in Node's own tty.getColorDepth. Reporters import chalk from here so
// that this runs before any colour is computed (table.ts paints its badges at import).
import chalk from 'chalk';

if (process.env.NO_COLOR && !('FORCE_COLOR' in process.env)) chalk.level = 0;

export { chalk };
