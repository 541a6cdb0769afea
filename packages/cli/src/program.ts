import { Command } from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import { registerAnalyze } from './commands/analyze.ts';
import { registerBench } from './commands/bench.ts';
import { registerCas } from './commands/cas.ts';
import { registerCat } from './commands/cat.ts';
import { registerExpand } from './commands/expand.ts';
import { registerFsck } from './commands/fsck.ts';
import { registerGc } from './commands/gc.ts';
import { registerIngest } from './commands/ingest.ts';
import { registerServe } from './commands/serve.ts';
import { registerStats } from './commands/stats.ts';
import { registerUser } from './commands/user.ts';
import type { CliContext } from './context.ts';

/** Each command lives in its own module under commands/ and adds itself here. */
const COMMANDS: readonly ((program: Command, context: CliContext) => void)[] = [
  registerIngest,
  registerCat,
  registerStats,
  registerFsck,
  registerGc,
  registerExpand,
  registerCas,
  registerServe,
  registerUser,
  registerAnalyze,
  registerBench,
];

/**
 * The `strata` program. Commander never exits the process itself: usage
 * errors, help and version surface as CommanderErrors that main() turns into
 * exit codes.
 */
export function buildProgram(context: CliContext): Command {
  const program = new Command('strata')
    .description('Layer dedup and storage engine for container images')
    .version(packageJson.version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .helpCommand('help [command]', 'show help for a command')
    // Settings made before the subcommands are created are inherited by them.
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`strata: ${text.replace(/^error: /, '')}`) });
  for (const register of COMMANDS) register(program, context);
  // After a usage error, the usage line and where to read more; the full help would bury the error.
  for (const command of [program, ...program.commands]) {
    const path = command === program ? 'strata' : `strata ${command.name()}`;
    const more = command === program ? 'strata --help' : `strata help ${command.name()}`;
    command.showHelpAfterError(`Usage: ${path} ${command.usage()}\n(see '${more}')`);
  }
  return program;
}
