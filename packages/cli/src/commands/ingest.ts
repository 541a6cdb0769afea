import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import pMap from 'p-map';
import type { BlobIngester, CommitResult } from '@strata/cas';
import { isCancelled, StrataError } from '@strata/errors';
import type { CliContext } from '../context.ts';
import { fileError } from '../file-error.ts';
import { startProgress } from '../progress.ts';
import { withAnyStore, withIndexOption, withStoreOptions, type StoreOptions } from '../store-access.ts';

interface IngestOptions extends StoreOptions {
  json?: boolean;
}

/** Files are read in large pieces (fewer, bigger writes into the engine), small files in one. */
const READ_PIECE_BYTES = 1024 * 1024;
const MIN_READ_PIECE_BYTES = 64 * 1024;

/**
 * Files in flight at once. Commits of concurrent writes share their fsyncs
 * and index transactions, which is what makes many small files fast; each
 * write keeps at most a few MiB in flight, which bounds the memory.
 */
const CONCURRENT_FILES = 32;

export function registerIngest(program: Command, context: CliContext): void {
  withIndexOption(withStoreOptions(
    program
      .command('ingest')
      .summary('store files as blobs')
      .description('Store each file as one blob and print "DIGEST SIZE FILE" for it.')
      .argument('<file...>', 'files to store'),
  ))
    .option('--json', 'print one JSON object per file: {digest, size, file, created}')
    .action((files: string[], options: IngestOptions, command: Command) => ingest(files, options, context, command));
}

async function ingest(files: readonly string[], options: IngestOptions, context: CliContext, command: Command): Promise<void> {
  // Sizes first, for the progress bar's total; a file that cannot be
  // stat'ed fails on its own below and the others go on.
  const inputs = await Promise.all(files.map(inspect));
  const totalBytes = inputs.reduce((sum, input) => sum + (input.size ?? 0), 0);
  const failures: StrataError[] = [];
  await withAnyStore(command, options, 'write', async (store) => {
    const progress = startProgress('bytes', 'ingest', totalBytes);
    let doneBytes = 0;
    // Results are printed in the order the files were named, as soon as all before them are done.
    const outcomes: ({ line: string } | { failure: StrataError } | undefined)[] = [];
    let printed = 0;
    const printReady = (): void => {
      for (let outcome = outcomes[printed]; outcome !== undefined; outcome = outcomes[++printed]) {
        if ('line' in outcome) progress.print(outcome.line);
        else failures.push(outcome.failure);
      }
    };
    try {
      await pMap(
        inputs.entries(),
        async ([at, input]) => {
          try {
            if (input.error) throw input.error;
            const result = await ingestFile(store, input, context.signal, (bytes) => {
              doneBytes += bytes;
              progress.update(doneBytes, totalBytes);
            });
            outcomes[at] = { line: formatResult(result, input.file, options.json === true) };
          } catch (error) {
            if (isCancelled(error)) throw error;
            outcomes[at] = { failure: fileError(input.file, error) };
          }
          printReady();
        },
        { concurrency: CONCURRENT_FILES, signal: context.signal },
      );
    } finally {
      progress.stop();
    }
  });
  if (failures.length === 0) return;
  // One line per failed file; the last one also carries the count and becomes the exit message.
  for (const failure of failures.slice(0, -1)) process.stderr.write(`strata: ${failure.message}\n`);
  const last = failures.at(-1)!;
  const summary = failures.length === 1 ? '' : ` (${failures.length} of ${files.length} files failed)`;
  throw new StrataError(last.code, `${last.message}${summary}`, { cause: last });
}

function formatResult({ digest, size, created }: CommitResult, file: string, json: boolean): string {
  return json ? JSON.stringify({ digest, size, file, created }) : `${digest} ${size} ${file}`;
}

interface Input {
  file: string;
  size?: number;
  error?: StrataError;
}

async function inspect(file: string): Promise<Input> {
  try {
    const info = await stat(file);
    if (!info.isFile()) return { file, error: new StrataError('InvalidArgument', `${file}: not a regular file`) };
    return { file, size: info.size };
  } catch (error) {
    return { file, error: fileError(file, error) };
  }
}

/** Streams one file into the engine; its bytes are never held whole in memory. */
async function ingestFile(
  store: BlobIngester,
  { file, size = 0 }: Input,
  signal: AbortSignal,
  onBytes: (bytes: number) => void,
): Promise<CommitResult> {
  const { writeBlob } = await import('@strata/cas');
  const highWaterMark = Math.min(READ_PIECE_BYTES, Math.max(MIN_READ_PIECE_BYTES, size));
  const stream = createReadStream(file, { highWaterMark });
  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const piece of stream as AsyncIterable<Buffer>) {
      onBytes(piece.byteLength);
      yield piece;
    }
  }
  try {
    return await writeBlob(store, counted(), {}, { signal });
  } finally {
    stream.destroy();
  }
}
