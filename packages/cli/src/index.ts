export { main } from './main.ts';
export { buildProgram } from './program.ts';
export type { CliContext } from './context.ts';
export { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE } from './exit-codes.ts';
export { DEFAULT_DATA_DIR, engineDir } from './store-access.ts';
