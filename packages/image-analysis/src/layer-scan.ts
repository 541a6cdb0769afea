import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Chunker, TarChunker } from '@strata/chunker';
import { StrataError } from '@strata/errors';
import { AVERAGE_CHUNK_SIZES, chunkerOptionsFor } from './chunk-sizes.ts';
import type { ChunkKey, ChunkTable } from './chunk-table.ts';
import { type ExpansionProbe, type LayerExpansion, notMeasured } from './expansion.ts';
import { FileDigests, type FileList } from './file-digests.ts';
import type { LayerBody } from './input.ts';
import { createDecoder, detectCodec, type LayerCodec } from './layer-codec.ts';

/** The chunks of one chunking of a stream, in order. */
export interface ChunkList {
  avgSize: number;
  keys: ChunkKey[];
  sizes: number[];
}

/** What one layer blob holds, as far as dedup is concerned. */
export interface LayerFacts {
  /** sha256 of the stored (possibly compressed) bytes. */
  digest: string;
  codec: LayerCodec;
  storedBytes: number;
  /** Bytes after decompression (equal to storedBytes when not compressed). */
  uncompressedBytes: number;
  /** Whether the uncompressed bytes read as a whole tar. */
  tar: boolean;
  files: FileList;
  /** FastCDC over the stored bytes, one list per average chunk size. */
  asStored: ChunkList[];
  /** Tar-aware chunking of the uncompressed bytes, one list per average chunk size. */
  expanded: ChunkList[];
  /** Whether strata would keep the layer expanded, and at what cost. */
  expansion: Awaited<ReturnType<ExpansionProbe['finish']>>;
}

export interface ScanOptions {
  signal?: AbortSignal;
  /** Called with the size of each piece of stored bytes as it is read. */
  onBytes?: (bytes: number) => void;
  expansion?: LayerExpansion;
}

class ChunkCollector {
  readonly list: ChunkList;
  readonly #chunker: Chunker;
  readonly #table: ChunkTable;

  constructor(chunker: Chunker, table: ChunkTable) {
    this.#chunker = chunker;
    this.#table = table;
    this.list = { avgSize: chunker.options.avgSize, keys: [], sizes: [] };
  }

  push(bytes: Uint8Array): void {
    for (const chunk of this.#chunker.push(bytes)) this.#add(chunk);
  }

  finish(): ChunkList {
    const tail = this.#chunker.finish();
    if (tail !== undefined) this.#add(tail);
    return this.list;
  }

  #add(chunk: Uint8Array): void {
    this.list.keys.push(this.#table.add(chunk));
    this.list.sizes.push(chunk.length);
  }
}

/** A failure to read the blob itself, told apart from a stream that does not decode. */
function sourceError(error: unknown): StrataError {
  if (error instanceof StrataError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ABORT_ERR') return new StrataError('Cancelled', 'reading the layer was cancelled', { cause: error });
  return new StrataError(code === 'ENOENT' ? 'NotFound' : 'Unavailable', `cannot read the layer: ${message}`, { cause: error });
}

/** Yields `source` again with its first piece holding at least `bytes` bytes (unless the stream is shorter). */
async function* withHead(source: LayerBody, bytes: number, seen: (head: Uint8Array) => void): AsyncGenerator<Uint8Array> {
  const held: Uint8Array[] = [];
  let heldBytes = 0;
  let told = false;
  for await (const piece of source) {
    if (told) {
      yield piece;
      continue;
    }
    held.push(piece);
    heldBytes += piece.length;
    if (heldBytes >= bytes) {
      const head = Buffer.concat(held);
      told = true;
      seen(head);
      yield head;
    }
  }
  if (!told) {
    const head = Buffer.concat(held);
    seen(head);
    if (head.length > 0) yield head;
  }
}

/**
 * Reads one layer blob once, as a stream: hashes it, chunks the stored
 * bytes, decompresses them (gzip, zstd) and chunks the tar inside with
 * tar-aware cut points, and hashes every regular file in it. Memory stays
 * bounded by the chunkers' windows plus the chunk and file lists.
 *
 * A compressed stream that does not decode is DataLoss; a stream that is
 * not a tar is not an error (its `tar` is false and it has no files).
 */
export async function scanLayer(source: LayerBody, table: ChunkTable, options: ScanOptions = {}): Promise<LayerFacts> {
  const hash = createHash('sha256');
  const asStored = AVERAGE_CHUNK_SIZES.map((avg) => new ChunkCollector(new Chunker(chunkerOptionsFor(avg)), table));
  const expanded = AVERAGE_CHUNK_SIZES.map((avg) => new ChunkCollector(new TarChunker(chunkerOptionsFor(avg)), table));
  const files = new FileDigests();
  let codec: LayerCodec = 'none';
  let probe: ExpansionProbe | undefined;
  let storedBytes = 0;
  let uncompressedBytes = 0;

  const stored = withHead(source, 4, (head) => {
    codec = detectCodec(head);
    probe = (options.expansion ?? notMeasured)(codec);
  });
  async function* readStored(): AsyncGenerator<Uint8Array> {
    const pieces = stored[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await pieces.next();
      } catch (error) {
        throw sourceError(error);
      }
      if (next.done) return;
      const piece = next.value;
      hash.update(piece);
      storedBytes += piece.length;
      for (const collector of asStored) collector.push(piece);
      await probe!.push(piece);
      options.onBytes?.(piece.length);
      yield piece;
    }
  }
  async function readUncompressed(pieces: AsyncIterable<Uint8Array>): Promise<void> {
    for await (const piece of pieces) {
      uncompressedBytes += piece.length;
      for (const collector of expanded) collector.push(piece);
      await files.write(piece);
    }
  }

  const reader = readStored();
  // The first piece settles the codec, and so which decoder sits in the middle.
  const first = await reader.next();
  async function* all(): AsyncGenerator<Uint8Array> {
    if (!first.done) yield first.value;
    yield* reader;
  }
  const decoder = createDecoder(codec);
  try {
    if (decoder) await pipeline(all(), decoder, readUncompressed, { signal: options.signal });
    else await pipeline(all(), readUncompressed, { signal: options.signal });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    if (error instanceof StrataError) throw error;
    throw new StrataError('DataLoss', `the ${codec} stream does not decode: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const { files: fileList, tar } = await files.finish();
  return {
    digest: `sha256:${hash.digest('hex')}`,
    codec,
    storedBytes,
    uncompressedBytes,
    tar,
    files: fileList,
    asStored: asStored.map((collector) => collector.finish()),
    expanded: expanded.map((collector) => collector.finish()),
    expansion: await (probe ?? notMeasured('none')).finish(),
  };
}
