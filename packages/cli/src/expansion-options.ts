import type { Command } from 'commander';
import { parseSizeArgument } from './arguments.ts';

/** The bounds on which layers expansion takes on (see @strata/cas FORMAT.md). */
export interface ExpansionBoundOptions {
  expandMaxSize?: number;
  expandMaxPlain?: number;
}

export function withExpansionBoundOptions(command: Command): Command {
  return command
    .option('--expand-max-size <size>', 'expand layers up to SIZE compressed (default 16GiB); larger ones stay as pushed', parseSizeArgument)
    .option('--expand-max-plain <size>', 'a layer whose tar is larger than SIZE stays compressed (default 64GiB; bounds what a compression bomb takes)', parseSizeArgument);
}

/** The engine options the bounds given set. */
export function expansionBounds(options: ExpansionBoundOptions): { expandMaxBytes?: number; expandMaxPlainBytes?: number } {
  return {
    ...(options.expandMaxSize !== undefined ? { expandMaxBytes: options.expandMaxSize } : {}),
    ...(options.expandMaxPlain !== undefined ? { expandMaxPlainBytes: options.expandMaxPlain } : {}),
  };
}

/** Usage error when a bound is given to a server that does not expand layers. */
export function checkExpansionBounds(options: ExpansionBoundOptions & { expandLayers?: boolean }, command: Command): void {
  if (options.expandLayers !== true && (options.expandMaxSize !== undefined || options.expandMaxPlain !== undefined)) {
    command.error('--expand-max-size and --expand-max-plain go with --expand-layers', { exitCode: 2, code: 'strata.usage' });
  }
}
