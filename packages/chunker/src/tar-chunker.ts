import { StrataError } from '@strata/errors';
import { chunksOf } from './chunk-stream.ts';
import { Chunker } from './chunker.ts';
import { type ChunkerOptions, DEFAULT_CHUNKER_OPTIONS } from './options.ts';
import { TarMemberScanner } from './tar-members.ts';

/**
 * Incremental chunker for uncompressed tar streams: FastCDC whose cuts
 * prefer the starts of tar members, so that a file changed, added or
 * removed disturbs only the chunks that hold it.
 *
 * The rule, for the chunk in progress starting at offset s:
 * - the start m of a member (its first header, extension headers included)
 *   with m - s >= minSize ends the chunk at m, unless FastCDC cuts first;
 * - otherwise FastCDC decides as it does for any stream: large members are
 *   cut inside, small members run together up to a FastCDC cut or maxSize.
 *
 * Member starts are known from the header before them, so every decision
 * depends only on the bytes before the cut and boundaries are the same
 * however the input is split. A stream that is not a tar, or whose tar
 * structure breaks, is chunked exactly as `Chunker` chunks it from the
 * point where the structure ends: this never throws for bad tar.
 *
 * Memory, copies and `finish` behave as for `Chunker`: it is a `Chunker`
 * whose preferred cuts are the member starts.
 */
export class TarChunker extends Chunker {
  constructor(options: ChunkerOptions = DEFAULT_CHUNKER_OPTIONS) {
    super(options, () => new TarMemberScanner());
  }
}

/**
 * The end offset of every chunk of a whole tar stream held in memory, as
 * `TarChunker` cuts it: the last equals data.length; empty input has none.
 */
export function tarCutPoints(data: Uint8Array, options: ChunkerOptions = DEFAULT_CHUNKER_OPTIONS): number[] {
  if (!(data instanceof Uint8Array)) throw new StrataError('InvalidArgument', 'tarCutPoints needs a Uint8Array');
  const chunker = new TarChunker(options);
  const ends: number[] = [];
  let offset = 0;
  const record = (chunk: Uint8Array): void => {
    offset += chunk.length;
    ends.push(offset);
  };
  chunker.push(data).forEach(record);
  const tail = chunker.finish();
  if (tail !== undefined) record(tail);
  return ends;
}

/** The chunks of a tar stream, in order, as `TarChunker` cuts them. */
export function tarChunkStream(
  source: AsyncIterable<Uint8Array>,
  options: ChunkerOptions = DEFAULT_CHUNKER_OPTIONS,
): AsyncGenerator<Uint8Array, void, undefined> {
  return chunksOf(source, new TarChunker(options));
}
