import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import type { BlobIngester, CommitResult } from '@strata/cas';
import { isCancelled, StrataError } from '@strata/errors';
import type { CliContext } from '../context.ts';
import { fileError } from '../file-error.ts';
import { startProgress } from '../progress.ts';
import { withAnyStore, withStoreOptions, type StoreOptions } from '../store-access.ts';

interface IngestOptions extends StoreOptions {
  json?: boolean;
}

/** Files are read in large pieces: fewer, bigger writes into the engine. */
const READ_PIECE_BYTES = 1024 * 1024;

export function registerIngest(program: Command, context: CliContext): void {
  withStoreOptions(
    program
      .command('ingest')
      .summary('store files as blobs')
      .description('Store each file as one blob and print "DIGEST SIZE FILE" for it.')
      .argument('<file...>', 'files to store'),
  )
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
    try {
      for (const input of inputs) {
        try {
          if (input.error) throw input.error;
          const result = await ingestFile(store, input.file, context.signal, (bytes) => {
            doneBytes += bytes;
            progress.update(doneBytes, totalBytes);
          });
          progress.print(formatResult(result, input.file, options.json === true));
        } catch (error) {
          if (isCancelled(error)) throw error;
          failures.push(fileError(input.file, error));
        }
      }
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
  file: string,
  signal: AbortSignal,
  onBytes: (bytes: number) => void,
): Promise<CommitResult> {
  const { writeBlob } = await import('@strata/cas');
  const stream = createReadStream(file, { highWaterMark: READ_PIECE_BYTES });
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
