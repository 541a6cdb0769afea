import { Chunker } from '@strata/chunker';
import { Digester, parseDigest, sha256Raw, formatDigest } from '@strata/digest';
import { StrataError } from '@strata/errors';
import type { BlobWriter, CommitResult, Expected, IngestStatus } from './content-store.ts';
import { pinIfIndexed, type EngineCore } from './engine-core.ts';
import { readChunk } from './read-path.ts';
import { appendRecipe } from './recipe-records.ts';
import { MIN_CACHED_BYTES, type CacheCopy } from './hot-cache.ts';
import type { BlobCommit, CommitChunk, IngestCheckpoint } from './index-db.ts';
import { countUses } from './index-db.ts';
import { Codec, RecordType, type RecordFields } from './pack-format.ts';
import type { ChunkLocation } from './pending-chunks.ts';
import { decodeChunkList, encodeChunkList, encodeChunkedRecipe, encodeInlineRecipe, type ChunkRef } from './recipe.ts';

// New chunks go to the compression pool in batches of about this many bytes...
const BATCH_BYTES = 1024 * 1024;
// ...and a write waits once this many batches are in flight (bounds memory).
const MAX_BATCHES_IN_FLIGHT = 4;

/**
 * One write transaction: bytes are hashed and cut into chunks as they
 * arrive; chunks the store lacks are compressed on the pool and appended to
 * the open pack; the blob becomes visible only at commit, after its pack
 * bytes are durable.
 */
export class Ingest {
  readonly ref: string;
  readonly startedAt = new Date();
  updatedAt = new Date();
  expected: Expected;
  offset = 0;
  /** Set while a writer handle holds the ref. */
  heldSince: number | undefined;
  /** Set once committed or aborted. */
  ended = false;

  readonly #core: EngineCore;
  readonly #chunker: Chunker;
  readonly #sha256 = new Digester('sha256');
  readonly #sha512: Digester | undefined;
  readonly #recipe: ChunkRef[] = [];
  // Pending chunks this write holds a use of (hex digests).
  readonly #uses = new Set<string>();
  // Every chunk of the write, pinned against garbage collection until it ends.
  readonly #pinned = new Set<string>();
  #batch: { chunks: Uint8Array[]; digests: string[]; bytes: number } = { chunks: [], digests: [], bytes: 0 };
  #inFlight: Promise<void>[] = [];
  #failure: unknown;
  #queue: Promise<unknown> = Promise.resolve();

  readonly lease: string | undefined;

  constructor(core: EngineCore, ref: string, expected: Expected, lease?: string, startedAt?: Date) {
    this.#core = core;
    this.ref = ref;
    this.expected = normalizeExpected(expected);
    this.lease = lease;
    if (startedAt) this.startedAt = startedAt;
    this.#chunker = new Chunker(core.settings.chunker);
    if (this.expected.digest?.startsWith('sha512:')) this.#sha512 = new Digester('sha512');
    if (core.cacheIngests) this.#copyPrefix = [];
  }

  /**
   * Brings back a write saved by `checkpoint` (possibly by another process):
   * its chunks are read back to restore the running hashes, and chunks no
   * recipe indexes yet are known again by their saved locations.
   */
  static async restore(core: EngineCore, ref: string, checkpoint: IngestCheckpoint): Promise<Ingest> {
    const ingest = new Ingest(core, ref, checkpoint.expected, checkpoint.lease, new Date(checkpoint.startedAt));
    await ingest.#restore(checkpoint);
    return ingest;
  }

  async #restore(checkpoint: IngestCheckpoint): Promise<void> {
    const { index, pending } = this.#core;
    const located = new Map(checkpoint.located.map(({ digest, location }) => [digest.toString('hex'), location]));
    const chunks = [...decodeChunkList(checkpoint.chunks)];
    // The saved checkpoint protects these chunks until the pins take over.
    for (const { digest } of chunks) this.#pin(digest.toString('hex'));
    const entries = await index.getChunks(chunks.map(({ digest }) => digest));
    for (const [i, { digest, length }] of chunks.entries()) {
      const hex = digest.toString('hex');
      const entry = entries[i];
      const location = entry ?? located.get(hex);
      if (!location) throw new StrataError('DataLoss', `saved write ${this.ref} lost chunk ${hex}`);
      const raw = await readChunk(this.#core, digest, location);
      this.#sha256.update(raw);
      this.#sha512?.update(raw);
      this.#recipe.push({ digest: Buffer.from(digest), length });
      if (!entry && !this.#uses.has(hex)) {
        if (!pending.use(hex)) pending.add(hex, Promise.resolve(location), () => {}, location.packId);
        this.#uses.add(hex);
      }
    }
    this.#sha256.update(checkpoint.tail);
    this.#sha512?.update(checkpoint.tail);
    if (this.#chunker.push(checkpoint.tail).length > 0) {
      throw new StrataError('DataLoss', `saved write ${this.ref} has a tail that is not one chunk`);
    }
    this.offset = checkpoint.offset;
    this.#checkpointed = true;
    // The bytes before the checkpoint are not at hand to copy.
    this.#copyPrefix = undefined;
  }

  #checkpointed = false;

  // The blob's bytes on their way into the hot cache: a client that pushes a
  // layer usually pulls it soon after. Until the blob is big enough to be
  // worth a file, its first bytes wait here.
  #copy: CacheCopy | undefined;
  #copyPrefix: Buffer[] | undefined;
  #copyPrefixBytes = 0;

  async #feedCopy(bytes: Uint8Array): Promise<void> {
    if (this.#copy) return this.#copy.write(bytes);
    const prefix = this.#copyPrefix;
    if (!prefix) return;
    const cache = this.#core.hotCache;
    if (this.expected.size !== undefined && !cache.wants(this.expected.size)) {
      this.#copyPrefix = undefined;
      return;
    }
    prefix.push(Buffer.from(bytes));
    this.#copyPrefixBytes += bytes.byteLength;
    if (this.#copyPrefixBytes < MIN_CACHED_BYTES) return;
    this.#copyPrefix = undefined;
    this.#copy = cache.startCopy();
    for (const piece of prefix) await this.#copy.write(piece);
  }

  #dropCopy(): void {
    this.#copyPrefix = undefined;
    void this.#copy?.discard();
    this.#copy = undefined;
  }

  /**
   * Saves the write so that it survives a restart: its chunks are made
   * durable, then its state is recorded in the index.
   */
  checkpoint(): Promise<void> {
    return this.#serialize(async () => {
      if (this.ended) return;
      this.#flushBatch();
      await Promise.all(this.#inFlight);
      this.#inFlight = [];
      this.#throwIfFailed();
      const { index, packWriter, pending } = this.#core;
      // A resumed write cannot finish the copy (possibly in another process).
      this.#dropCopy();
      const tail = this.#chunker.finish() ?? new Uint8Array();
      this.#chunker.push(tail);
      const located: IngestCheckpoint['located'] = [];
      for (const hex of this.#uses) {
        const location = await pending.location(hex);
        if (location) located.push({ digest: Buffer.from(hex, 'hex'), location });
      }
      const durable = await packWriter.sync();
      const checkpoint: IngestCheckpoint = {
        expected: { ...this.expected },
        startedAt: this.startedAt.getTime(),
        offset: this.offset,
        chunks: encodeChunkList(this.#recipe),
        located,
        tail: Buffer.from(tail),
      };
      if (this.lease !== undefined) checkpoint.lease = this.lease;
      await index.putIngest(this.ref, checkpoint, durable);
      this.#checkpointed = true;
    });
  }

  status(): IngestStatus {
    return {
      ref: this.ref,
      offset: this.offset,
      expected: { ...this.expected },
      startedAt: this.startedAt,
      updatedAt: this.updatedAt,
    };
  }

  // Operations on one ingest run one at a time, in call order.
  #serialize<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(work);
    this.#queue = result.catch(() => {});
    return result;
  }

  write(bytes: Uint8Array, at?: number): Promise<void> {
    return this.#serialize(async () => {
      this.#checkOpen();
      if (at !== undefined && at !== this.offset) {
        throw new StrataError('OutOfRange', `write at ${at} but the write is at ${this.offset}`, {
          details: { offset: this.offset },
        });
      }
      if (this.expected.size !== undefined && this.offset + bytes.byteLength > this.expected.size) {
        throw new StrataError('OutOfRange', `write past the expected size ${this.expected.size}`, {
          details: { offset: this.offset, expectedSize: this.expected.size },
        });
      }
      this.#sha256.update(bytes);
      this.#sha512?.update(bytes);
      await this.#feedCopy(bytes);
      await this.#addChunks(this.#chunker.push(bytes));
      this.offset += bytes.byteLength;
      this.updatedAt = new Date();
      while (this.#inFlight.length > MAX_BATCHES_IN_FLIGHT) await this.#inFlight.shift();
      this.#throwIfFailed();
    });
  }

  #checkOpen(): void {
    if (this.ended) throw new StrataError('FailedPrecondition', `write ${this.ref} has ended`);
    this.#throwIfFailed();
  }

  #throwIfFailed(): void {
    if (this.#failure !== undefined) {
      throw new StrataError('Unavailable', `write ${this.ref} failed to store its chunks`, { cause: this.#failure });
    }
  }

  #pin(hex: string): void {
    if (this.#pinned.has(hex)) return;
    this.#pinned.add(hex);
    this.#core.pins.hold(hex);
  }

  // The chunks cut from one piece, looked up in the index together.
  async #addChunks(chunks: readonly Uint8Array[]): Promise<void> {
    const unseen: { chunk: Uint8Array; digest: Buffer; hex: string }[] = [];
    for (const chunk of chunks) {
      const digest = sha256Raw(chunk);
      this.#recipe.push({ digest, length: chunk.byteLength });
      const hex = digest.toString('hex');
      // Met before in this write: it is indexed and pinned, or this write stores or uses it already.
      if (this.#pinned.has(hex)) continue;
      this.#pinned.add(hex);
      unseen.push({ chunk, digest, hex });
    }
    if (unseen.length === 0) return;
    let indexed: boolean[];
    try {
      // Pinned before the lookup: a chunk found in the index stays there until this write ends.
      indexed = await pinIfIndexed(this.#core, unseen.map(({ digest }) => digest));
    } catch (error) {
      // The recipe has chunks nothing stores now: the write cannot go on.
      this.#failure ??= error;
      throw error;
    }
    unseen.forEach(({ chunk, hex }, i) => {
      if (!indexed[i]) this.#storeChunk(chunk, hex);
    });
  }

  #storeChunk(chunk: Uint8Array, hex: string): void {
    const { pending } = this.#core;
    if (pending.use(hex)) {
      this.#uses.add(hex);
      return;
    }
    this.#batch.chunks.push(chunk);
    this.#batch.digests.push(hex);
    this.#batch.bytes += chunk.byteLength;
    this.#uses.add(hex);
    // Registered at once so that later chunks of any write find it pending.
    let settle!: (location: Promise<ChunkLocation>) => void;
    pending.add(
      hex,
      new Promise<ChunkLocation>((resolve) => (settle = resolve)),
      () => this.#flushBatch(),
      this.#core.packWriter.openPackId,
    );
    (this.#batchSettlers ??= []).push(settle);
    if (this.#batch.bytes >= BATCH_BYTES) this.#flushBatch();
  }

  #batchSettlers: ((location: Promise<ChunkLocation>) => void)[] | undefined;

  #flushBatch(): void {
    const { chunks, digests } = this.#batch;
    const settlers = this.#batchSettlers ?? [];
    this.#batch = { chunks: [], digests: [], bytes: 0 };
    this.#batchSettlers = undefined;
    if (chunks.length === 0) return;
    const stored = this.#core.pool.compress(chunks).then((payloads) => {
      const records: RecordFields[] = payloads.map((payload, i) => ({
        type: RecordType.Chunk,
        codec: payload.codec as Codec,
        key: Buffer.from(digests[i]!, 'hex'),
        rawLength: chunks[i]!.byteLength,
        payload: payload.payload,
      }));
      return this.#core.packWriter.append(records).then((placed) =>
        placed.map((where, i) => ({
          packId: where.packId,
          payloadOffset: where.payloadOffset,
          storedLength: where.storedLength,
          rawLength: chunks[i]!.byteLength,
          codec: payloads[i]!.codec,
        })),
      );
    });
    settlers.forEach((settle, i) => settle(stored.then((locations) => locations[i]!)));
    this.#inFlight.push(
      stored.then(
        () => {},
        (error: unknown) => {
          this.#failure ??= error;
        },
      ),
    );
  }

  commit(expected: Expected = {}): Promise<CommitResult> {
    return this.#serialize(async () => {
      this.#checkOpen();
      const want = normalizeExpected({ ...this.expected, ...definedOnly(expected) });
      if (want.digest?.startsWith('sha512:') && !this.#sha512) {
        throw new StrataError('InvalidArgument', 'a sha512 digest must be given when the write is opened');
      }
      const tail = this.#chunker.finish();
      const size = this.offset;
      const inline = this.#recipe.length === 0 && size <= this.#core.settings.inlineMaxBytes;
      if (tail && !inline) await this.#addChunks([tail]);
      this.#flushBatch();
      await Promise.all(this.#inFlight);
      this.#inFlight = [];
      try {
        this.#throwIfFailed();
        const actual = (want.digest?.startsWith('sha512:') ? this.#sha512! : this.#sha256).digest();
        if (want.size !== undefined && want.size !== size) {
          throw new StrataError('SizeMismatch', `wrote ${size} bytes, expected ${want.size}`, {
            details: { expected: want.size, actual: size },
          });
        }
        if (want.digest !== undefined && want.digest !== actual) {
          throw new StrataError('DigestMismatch', `content digest is ${actual}, expected ${want.digest}`, {
            details: { expected: want.digest, actual },
          });
        }
        const result = await this.#store(actual, size, inline ? (tail ?? new Uint8Array()) : undefined);
        // The content matched its digest: the copy may serve reads.
        if (this.#copy && !inline) await this.#copy.commit(result.digest, size);
        this.#copy = undefined;
        return result;
      } finally {
        await this.#end();
      }
    });
  }

  async #store(digest: string, size: number, inlineData: Uint8Array | undefined): Promise<CommitResult> {
    const { index, packWriter, pending } = this.#core;
    if (await index.getRecipe(digest)) {
      if (this.lease === undefined && !this.#checkpointed) return { digest, size, created: false };
      // Already stored: nothing to write, but the lease and the checkpoint are still settled.
      const settle: BlobCommit = {
        digest,
        recipe: Buffer.alloc(0),
        size,
        chunks: [],
        durable: await packWriter.sync(),
        clearIngest: this.ref,
        existingOnly: true,
      };
      if (this.lease !== undefined) settle.lease = this.lease;
      const { created } = await index.commitBlob(settle);
      // created is true only when the blob vanished meanwhile: then store it after all.
      if (!created) return { digest, size, created };
    }
    const createdAt = Date.now();
    let recipe: Buffer;
    const chunks: CommitChunk[] = [];
    if (inlineData) {
      recipe = encodeInlineRecipe(inlineData, createdAt);
    } else {
      recipe = encodeChunkedRecipe(this.#recipe, size, createdAt);
      const uses = [...countUses(this.#recipe)];
      const digests = uses.map(([hex]) => Buffer.from(hex, 'hex'));
      const indexed = await index.hasChunks(digests);
      for (const [i, [hex, count]] of uses.entries()) {
        let location: ChunkLocation | undefined;
        if (!indexed[i]) {
          location = await pending.location(hex);
          // Another commit may have indexed it while this one waited.
          if (!location && !(await index.hasChunk(digests[i]!))) {
            throw new StrataError('Unavailable', `chunk ${hex} of write ${this.ref} was not stored`);
          }
        }
        chunks.push({ digest: digests[i]!, uses: count, location });
      }
    }
    return this.#core.blobLocks.withLocks([digest], async () => {
      // Pack bytes are durable before the index transaction that refers to them.
      const { indexValue, durable } = await appendRecipe(this.#core, digest, recipe);
      const commit: BlobCommit = { digest, recipe: indexValue, size, chunks, durable, clearIngest: this.ref };
      if (this.lease !== undefined) commit.lease = this.lease;
      const { created } = await index.commitBlob(commit);
      this.#checkpointed = false;
      if (created && !inlineData) this.#core.afterCommit?.(digest, size);
      return { digest, size, created };
    });
  }

  abort(): Promise<void> {
    return this.#serialize(async () => {
      if (this.ended) return;
      this.#flushBatch();
      await Promise.all(this.#inFlight);
      this.#inFlight = [];
      await this.#end();
    });
  }

  async #end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.#dropCopy();
    for (const hex of this.#uses) this.#core.pending.release(hex);
    this.#uses.clear();
    for (const hex of this.#pinned) this.#core.pins.release(hex);
    this.#pinned.clear();
    this.#recipe.length = 0;
    if (this.#checkpointed) await this.#core.index.deleteIngest(this.ref);
  }
}

function normalizeExpected(expected: Expected): Expected {
  const result: Expected = {};
  if (expected.digest !== undefined) result.digest = formatDigest(parseDigest(expected.digest));
  if (expected.size !== undefined) {
    if (!Number.isSafeInteger(expected.size) || expected.size < 0) {
      throw new StrataError('InvalidArgument', `invalid expected size ${expected.size}`);
    }
    result.size = expected.size;
  }
  return result;
}

function definedOnly(expected: Expected): Expected {
  const result: Expected = {};
  if (expected.digest !== undefined) result.digest = expected.digest;
  if (expected.size !== undefined) result.size = expected.size;
  return result;
}

/** A handle on an ingest: what `writer(ref)` returns. Closing releases the ref. */
export class EngineWriter implements BlobWriter {
  readonly #ingest: Ingest;
  readonly #onRelease: (ingest: Ingest) => void;
  #released = false;

  constructor(ingest: Ingest, onRelease: (ingest: Ingest) => void) {
    this.#ingest = ingest;
    this.#onRelease = onRelease;
  }

  get ref(): string {
    return this.#ingest.ref;
  }

  get offset(): number {
    return this.#ingest.offset;
  }

  #checkHeld(): void {
    if (this.#released) throw new StrataError('FailedPrecondition', `writer for ${this.ref} is closed`);
  }

  async write(bytes: Uint8Array, at?: number): Promise<void> {
    this.#checkHeld();
    await this.#ingest.write(bytes, at);
  }

  async commit(expected?: Expected): Promise<CommitResult> {
    this.#checkHeld();
    try {
      return await this.#ingest.commit(expected);
    } finally {
      this.#release();
    }
  }

  async abort(): Promise<void> {
    await this.#ingest.abort();
    this.#release();
  }

  async close(): Promise<void> {
    if (this.#released) return;
    try {
      await this.#ingest.checkpoint();
    } finally {
      this.#release();
    }
  }

  #release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#onRelease(this.#ingest);
  }
}
