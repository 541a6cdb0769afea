import { Readable } from 'node:stream';
import type {
  BlobRead,
  BlobStat,
  BlobWriter,
  CommitResult,
  ContentStore,
  Expected,
  IngestStatus,
  ReadOptions,
  WriterOptions,
} from '@strata/cas';
import { type ErrorCode, StrataError } from '@strata/errors';

/** The calls a fault can target; `write` and `commit` count across all writers. */
export type FaultOperation =
  | 'read'
  | 'stat'
  | 'findMissing'
  | 'writer'
  | 'write'
  | 'commit'
  | 'status'
  | 'listIngests'
  | 'abortIngest'
  | 'delete'
  | 'list';

/**
 * One injected fault. `nth` picks the call it hits (1-based, counted per
 * operation on the decorated store); without it, every call is hit.
 */
export type Fault =
  /** The call fails with `code` without reaching the store. */
  | { kind: 'fail'; op: FaultOperation; nth?: number; code: ErrorCode }
  /** The read's body ends cleanly after `afterBytes`, short of the length it announced. */
  | { kind: 'truncate-read'; nth?: number; afterBytes: number }
  /** The read's body carries the byte at `atByte` (counted from the body's start) inverted. */
  | { kind: 'corrupt-read'; nth?: number; atByte: number }
  /** The read's body fails with `code` once it has yielded `afterBytes`. */
  | { kind: 'fail-read'; nth?: number; afterBytes: number; code: ErrorCode };

type StreamFault = Exclude<Fault, { kind: 'fail' }>;

/** A decorated store, with how often each operation was called. */
export interface FaultyStore extends ContentStore {
  calls(op: FaultOperation): number;
}

function hits(fault: Fault, call: number): boolean {
  return fault.nth === undefined || fault.nth === call;
}

/** The body's bytes with the stream faults applied. */
async function* faultedBody(body: Readable, faults: readonly StreamFault[]): AsyncGenerator<Buffer> {
  let stopAt = Number.POSITIVE_INFINITY;
  let failure: StreamFault | undefined;
  for (const fault of faults) {
    if (fault.kind !== 'corrupt-read' && fault.afterBytes < stopAt) {
      stopAt = fault.afterBytes;
      failure = fault;
    }
  }
  let position = 0;
  for await (const raw of body) {
    // A copy, so that corrupting it never reaches the store's own memory.
    const piece = Buffer.from(raw as Uint8Array);
    for (const fault of faults) {
      if (fault.kind === 'corrupt-read' && fault.atByte >= position && fault.atByte < position + piece.byteLength) {
        piece[fault.atByte - position] = (piece[fault.atByte - position] ?? 0) ^ 0xff;
      }
    }
    if (position + piece.byteLength >= stopAt) {
      if (stopAt > position) yield piece.subarray(0, stopAt - position);
      if (failure?.kind === 'fail-read') {
        throw new StrataError(failure.code, `injected ${failure.code} after ${stopAt} bytes`, {
          details: { injected: true },
        });
      }
      return;
    }
    position += piece.byteLength;
    yield piece;
  }
}

/**
 * Decorates a store with injected faults, for tests of callers: failed
 * calls, and read bodies that end early, carry a damaged byte or fail
 * midway. Everything not hit by a fault passes through unchanged.
 */
class FaultInjectingStore implements FaultyStore {
  readonly #inner: ContentStore;
  readonly #faults: readonly Fault[];
  readonly #calls = new Map<FaultOperation, number>();

  constructor(inner: ContentStore, faults: readonly Fault[]) {
    this.#inner = inner;
    this.#faults = faults;
  }

  calls(op: FaultOperation): number {
    return this.#calls.get(op) ?? 0;
  }

  async read(digest: string, options?: ReadOptions): Promise<BlobRead> {
    const call = this.#enter('read');
    const read = await this.#inner.read(digest, options);
    const streamFaults = this.#faults.filter(
      (fault): fault is StreamFault => fault.kind !== 'fail' && hits(fault, call),
    );
    if (streamFaults.length === 0) return read;
    return { ...read, body: Readable.from(faultedBody(read.body, streamFaults), { objectMode: false }) };
  }

  async stat(digest: string): Promise<BlobStat> {
    this.#enter('stat');
    return this.#inner.stat(digest);
  }

  async findMissing(digests: readonly string[]): Promise<string[]> {
    this.#enter('findMissing');
    return this.#inner.findMissing(digests);
  }

  async writer(ref: string, options?: WriterOptions): Promise<BlobWriter> {
    this.#enter('writer');
    const inner = await this.#inner.writer(ref, options);
    const enter = (op: FaultOperation) => this.#enter(op);
    return {
      ref: inner.ref,
      get offset() {
        return inner.offset;
      },
      async write(bytes: Uint8Array, at?: number): Promise<void> {
        enter('write');
        return inner.write(bytes, at);
      },
      async commit(expected?: Expected): Promise<CommitResult> {
        enter('commit');
        return inner.commit(expected);
      },
      abort: () => inner.abort(),
      close: () => inner.close(),
    };
  }

  async status(ref: string): Promise<IngestStatus> {
    this.#enter('status');
    return this.#inner.status(ref);
  }

  async listIngests(): Promise<IngestStatus[]> {
    this.#enter('listIngests');
    return this.#inner.listIngests();
  }

  async abortIngest(ref: string): Promise<void> {
    this.#enter('abortIngest');
    return this.#inner.abortIngest(ref);
  }

  async delete(digest: string): Promise<void> {
    this.#enter('delete');
    return this.#inner.delete(digest);
  }

  async *list(options?: { signal?: AbortSignal }): AsyncGenerator<BlobStat> {
    this.#enter('list');
    yield* this.#inner.list(options);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  /** Counts the call and throws the failure a fault injects into it, if any. */
  #enter(op: FaultOperation): number {
    const call = this.calls(op) + 1;
    this.#calls.set(op, call);
    const fault = this.#faults.find((candidate) => candidate.kind === 'fail' && candidate.op === op && hits(candidate, call));
    if (fault?.kind === 'fail') {
      throw new StrataError(fault.code, `injected ${fault.code} on ${op} call ${call}`, {
        details: { injected: true, op, call },
      });
    }
    return call;
  }
}

/** Wraps `store` so that the given faults happen to the calls they target. */
export function withFaults(store: ContentStore, faults: readonly Fault[]): FaultyStore {
  return new FaultInjectingStore(store, faults);
}
