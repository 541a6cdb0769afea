import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { parseByteCount, parseDigestArgument } from '../arguments.ts';
import type { CliContext } from '../context.ts';
import { withAnyStore, withIndexOption, withStoreOptions, type StoreOptions } from '../store-access.ts';

interface CatOptions extends StoreOptions {
  offset?: number;
  length?: number;
}

export function registerCat(program: Command, context: CliContext): void {
  withIndexOption(withStoreOptions(
    program
      .command('cat')
      .summary('write a blob to stdout')
      .description('Write a blob, or a byte range of it, to stdout.')
      .argument('<digest>', 'the blob (sha256:<hex>)', parseDigestArgument),
  ))
    .option('--offset <n>', 'first byte to write', parseByteCount)
    .option('--length <n>', 'number of bytes to write (to the end by default)', parseByteCount)
    .action((digest: string, options: CatOptions, command: Command) => cat(digest, options, context, command));
}

async function cat(digest: string, options: CatOptions, context: CliContext, command: Command): Promise<void> {
  await withAnyStore(command, options, 'read', async (store) => {
    const read = await store.read(digest, { offset: options.offset, length: options.length, signal: context.signal });
    // pipeline() waits for stdout to drain, so a slow reader slows the store, not memory.
    await pipeline(read.body, process.stdout, { signal: context.signal });
  });
}
