import { Chunker } from './chunker.ts';
import { type ChunkerOptions, DEFAULT_CHUNKER_OPTIONS } from './options.ts';

/**
 * The chunks of a byte stream, in order, each yielded as soon as its end is
 * known. Stopping the iteration early stops reading `source`.
 */
export async function* chunkStream(
  source: AsyncIterable<Uint8Array>,
  options: ChunkerOptions = DEFAULT_CHUNKER_OPTIONS,
): AsyncGenerator<Uint8Array, void, undefined> {
  yield* chunksOf(source, new Chunker(options));
}

/** The chunks `chunker` cuts from `source`, yielded as soon as each is complete. */
export async function* chunksOf(source: AsyncIterable<Uint8Array>, chunker: Chunker): AsyncGenerator<Uint8Array, void, undefined> {
  for await (const bytes of source) {
    yield* chunker.push(bytes);
  }
  const tail = chunker.finish();
  if (tail !== undefined) yield tail;
}
