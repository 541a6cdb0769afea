import { randomUUID } from 'node:crypto';
import { StrataError } from '@strata/errors';
import type { BlobIngester, BlobReader, CommitResult, Expected } from './content-store.ts';

export interface WriteBlobOptions {
  /** The transaction's name; a random one by default. */
  ref?: string;
  signal?: AbortSignal;
}

/**
 * Streams `source` into a new write transaction and commits it against
 * `expected`. On any failure (including an aborted signal) the transaction
 * is aborted, so nothing is left behind.
 */
export async function writeBlob(
  ingester: BlobIngester,
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  expected: Expected = {},
  options: WriteBlobOptions = {},
): Promise<CommitResult> {
  const writer = await ingester.writer(options.ref ?? `write-${randomUUID()}`, { expected });
  try {
    for await (const piece of source) {
      if (options.signal?.aborted) throw new StrataError('Cancelled', 'write cancelled');
      await writer.write(piece);
    }
    if (options.signal?.aborted) throw new StrataError('Cancelled', 'write cancelled');
    return await writer.commit(expected);
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

/** Reads a whole (small) blob into memory, refusing blobs larger than `maxBytes`. */
export async function readBytes(
  reader: BlobReader,
  digest: string,
  maxBytes = 4 * 1024 * 1024,
): Promise<Buffer> {
  const read = await reader.read(digest);
  if (read.length > maxBytes) {
    read.body.destroy();
    throw new StrataError('ResourceExhausted', `blob ${digest} is ${read.length} bytes, more than ${maxBytes}`);
  }
  const pieces: Buffer[] = [];
  for await (const piece of read.body) pieces.push(Buffer.from(piece as Uint8Array));
  return Buffer.concat(pieces);
}
