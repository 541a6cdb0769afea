import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { type ParsedCorrections, readCorrections } from './corrections.ts';
import { WINDOW_SIZE } from './deflate-tables.ts';
import { malformed } from './failures.ts';
import { concat, readGzipCorrections } from './gzip.ts';
import {
  type SegmentOutcome,
  type SegmentTask,
  bytesOf,
  outcomeOf,
  segmentPlaintextRange,
  segmentTask,
} from './segment-task.ts';

// piscina tries require() before import(); require() of an ES module in a worker has aborted
// the process in Node 24 (a failed assertion, seen under load), so workers load by import() only.
const WORKER_EXEC_ARGV = [...process.execArgv, '--no-experimental-require-module'];

export interface RebuildPoolOptions {
  /** Worker threads; 0 rebuilds on the calling thread. Default: one per core. */
  threads?: number;
  /**
   * Pieces handed out and not yet yielded (default: twice the threads, at
   * least 2). Memory stays at about this many segments of plaintext and
   * output.
   */
  inFlight?: number;
}

/** One step of the output: bytes known up front, or a segment to rebuild. */
type Piece =
  | { bytes: Uint8Array }
  | { corrections: ParsedCorrections; index: number; /** Plaintext offset of the deflate stream's first byte. */ offset: number };

interface Plan {
  pieces: Piece[];
  /** Plaintext offset of the first byte expected. */
  plaintextStart: number;
  plainLength: number;
}

/**
 * Reconstruction spread over worker threads. Segments are independent (each
 * carries its 32 KiB window and its first byte's leading bits), so they are
 * rebuilt side by side and their bytes joined in order; the output is the
 * same as GzipRebuilder's / DeflateRebuilder's, byte for byte. A pool is
 * meant to be long-lived and shared; `close` stops its threads.
 */
export class RebuildPool {
  readonly threads: number;
  readonly inFlight: number;
  readonly #piscina: Piscina | undefined;

  constructor(options: RebuildPoolOptions = {}) {
    this.threads = options.threads ?? availableParallelism();
    this.inFlight = Math.max(2, options.inFlight ?? 2 * this.threads);
    this.#piscina =
      this.threads > 0
        ? new Piscina({
            filename: new URL('./rebuild-worker.ts', import.meta.url).href,
            minThreads: this.threads,
            maxThreads: this.threads,
            idleTimeout: 30_000,
            execArgv: WORKER_EXEC_ARGV,
          })
        : undefined;
  }

  /**
   * GzipRebuilder's output as a stream, segments rebuilt in parallel. From a
   * restart point it expects plaintext from the point's `windowStart` and
   * yields the file from its `compressedOffset`.
   */
  rebuildGzipStream(
    plaintext: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    corrections: Uint8Array,
    from?: { member: number; segment: number },
  ): AsyncGenerator<Uint8Array> {
    return this.#run(gzipPlan(corrections, from), plaintext);
  }

  /** rebuildDeflateStream, segments rebuilt in parallel. */
  rebuildDeflateStream(
    plaintext: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    corrections: Uint8Array | ParsedCorrections,
    options: { fromSegment?: number } = {},
  ): AsyncGenerator<Uint8Array> {
    return this.#run(deflatePlan(corrections, options.fromSegment ?? 0), plaintext);
  }

  /** Rebuilds a whole gzip file from its plaintext and corrections. */
  async reconstructGzip(plaintext: Uint8Array, corrections: Uint8Array): Promise<Uint8Array> {
    return collect(this.rebuildGzipStream([plaintext], corrections));
  }

  /** Rebuilds a whole deflate stream from its plaintext and corrections. */
  async reconstructDeflate(plaintext: Uint8Array, corrections: Uint8Array | ParsedCorrections): Promise<Uint8Array> {
    return collect(this.rebuildDeflateStream([plaintext], corrections));
  }

  /** Stops the worker threads; rebuilds still running fail. */
  async close(): Promise<void> {
    await this.#piscina?.destroy();
  }

  async #rebuild(task: SegmentTask): Promise<Uint8Array> {
    if (this.#piscina === undefined) return bytesOf(outcomeOf(task));
    const transferList = [task.plaintext.buffer as ArrayBuffer, task.payload.buffer as ArrayBuffer];
    return bytesOf((await this.#piscina.run(task, { transferList })) as SegmentOutcome);
  }

  async *#run(plan: Plan, plaintext: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    const input = new PlaintextQueue(plan.plaintextStart, plan.plainLength, plaintext);
    const pending: Array<Promise<Uint8Array>> = [];
    try {
      for (const piece of plan.pieces) {
        if ('bytes' in piece) {
          pending.push(Promise.resolve(piece.bytes));
        } else {
          const { start, end } = segmentPlaintextRange(piece.corrections, piece.index);
          const slice = await input.copy(piece.offset + start, piece.offset + end);
          const segment = piece.corrections.segments[piece.index]!;
          // Later pieces read from this segment's last 32 KiB on.
          input.discardBefore(piece.offset + segment.plainStart + segment.plainLength - WINDOW_SIZE);
          const rebuilt = this.#rebuild(segmentTask(piece.corrections, piece.index, slice));
          // Awaited in order below; until then a failure must not count as unhandled.
          rebuilt.catch(() => {});
          pending.push(rebuilt);
        }
        while (pending.length > this.inFlight) yield await pending.shift()!;
      }
      await input.expectEnd();
      while (pending.length > 0) yield await pending.shift()!;
    } finally {
      await input.close();
    }
  }
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let length = 0;
  for await (const part of stream) {
    parts.push(part);
    length += part.length;
  }
  return concat(parts, length);
}

function segmentPieces(corrections: ParsedCorrections, from: number, offset: number): Piece[] {
  const pieces: Piece[] = [];
  for (let index = from; index < corrections.segments.length; index++) pieces.push({ corrections, index, offset });
  return pieces;
}

function deflatePlan(source: Uint8Array | ParsedCorrections, from: number): Plan {
  const corrections = source instanceof Uint8Array ? readCorrections(source) : source;
  const { segments } = corrections;
  if (!Number.isInteger(from) || from < 0 || (from >= segments.length && !(from === 0 && segments.length === 0))) {
    throw new RangeError('no such restart segment');
  }
  const segment = segments[from];
  return {
    pieces: segmentPieces(corrections, from, 0),
    plaintextStart: segment === undefined ? 0 : Math.max(0, segment.plainStart - WINDOW_SIZE),
    plainLength: corrections.plainLength,
  };
}

function gzipPlan(bytes: Uint8Array, from?: { member: number; segment: number }): Plan {
  const file = readGzipCorrections(bytes);
  const first = from?.member ?? 0;
  if (!Number.isInteger(first) || first < 0 || first >= file.members.length) throw new RangeError('no such gzip member');
  const pieces: Piece[] = [];
  let offset = 0;
  let plaintextStart = 0;
  for (let index = 0; index < file.members.length; index++) {
    const member = file.members[index]!;
    if (index >= first) {
      const corrections = readCorrections(member.corrections);
      if (corrections.plainLength !== member.plainLength) throw malformed('gzip correction stream is inconsistent');
      if (index === first && from !== undefined) {
        plaintextStart = offset + deflatePlan(corrections, from.segment).plaintextStart;
        pieces.push(...segmentPieces(corrections, from.segment, offset));
      } else {
        pieces.push({ bytes: member.header }, ...segmentPieces(corrections, 0, offset));
      }
      pieces.push({ bytes: member.trailer });
    }
    offset += member.plainLength;
  }
  pieces.push({ bytes: file.trailing });
  return { pieces, plaintextStart, plainLength: offset };
}

/**
 * The plaintext as it arrives, kept from the oldest byte a piece still
 * needs; `copy` reads on until the range is there.
 */
class PlaintextQueue {
  readonly #iterator: AsyncIterator<Uint8Array> | Iterator<Uint8Array>;
  readonly #plainLength: number;
  #chunks: Uint8Array[] = [];
  /** Plaintext offset of #chunks[0][0]. */
  #start: number;
  #end: number;

  constructor(start: number, plainLength: number, source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>) {
    this.#start = start;
    this.#end = start;
    this.#plainLength = plainLength;
    this.#iterator = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
  }

  async #read(): Promise<boolean> {
    const next = await this.#iterator.next();
    if (next.done === true) return false;
    const chunk = next.value;
    if (this.#end + chunk.length > this.#plainLength) {
      throw malformed('more plaintext than the stream holds', { plainLength: this.#plainLength });
    }
    if (chunk.length > 0) this.#chunks.push(chunk);
    this.#end += chunk.length;
    return true;
  }

  /** A copy of plaintext [start, end), which must not lie before what was discarded. */
  async copy(start: number, end: number): Promise<Uint8Array> {
    while (this.#end < end) {
      if (!(await this.#read())) throw malformed('plaintext ended before the stream', { plainLength: this.#plainLength });
    }
    const out = new Uint8Array(end - start);
    let at = this.#start;
    for (const chunk of this.#chunks) {
      const from = Math.max(start, at);
      const to = Math.min(end, at + chunk.length);
      if (from < to) out.set(chunk.subarray(from - at, to - at), from - start);
      at += chunk.length;
      if (at >= end) break;
    }
    return out;
  }

  discardBefore(offset: number): void {
    while (this.#chunks.length > 0 && this.#start + this.#chunks[0]!.length <= offset) {
      this.#start += this.#chunks.shift()!.length;
    }
  }

  /** Reads the rest of the source, which must hold nothing more. */
  async expectEnd(): Promise<void> {
    while (await this.#read());
    if (this.#end < this.#plainLength) throw malformed('plaintext ended before the stream', { plainLength: this.#plainLength });
  }

  async close(): Promise<void> {
    await this.#iterator.return?.();
  }
}
