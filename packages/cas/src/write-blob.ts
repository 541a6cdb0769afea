import { randomUUID } from 'node:crypto';
import { StrataError } from '@strata/errors';
import type { BlobIngester, BlobReader, CommitResult, Expected } from './content-store.ts';

/** Pieces of about this size make the fewest, cheapest writer calls. */
export const WRITE_PIECE_BYTES = 1024 * 1024;

/**
 * Regroups a stream of small pieces (a socket's 64 KiB reads, say) into
 * pieces of at least `bytes` (the last may be shorter), copying only the
 * pieces it joins.
 */
export async function* inPiecesOf(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  bytes = WRITE_PIECE_BYTES,
): AsyncGenerator<Uint8Array> {
  let held: Uint8Array[] = [];
  let heldBytes = 0;
  for await (const piece of source) {
    if (heldBytes === 0 && piece.byteLength >= bytes) {
      yield piece;
      continue;
    }
    held.push(piece);
    heldBytes += piece.byteLength;
    if (heldBytes >= bytes) {
      yield Buffer.concat(held, heldBytes);
      held = [];
      heldBytes = 0;
    }
  }
  if (heldBytes > 0) yield held.length === 1 ? held[0]! : Buffer.concat(held, heldBytes);
}

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
    for await (const piece of inPiecesOf(source)) {
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
