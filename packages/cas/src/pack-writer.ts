import {
  encodePackHeader,
  encodeRecordHead,
  encodeTrailer,
  type RecordFields,
  type RecordLocation,
} from './pack-format.ts';
import type { PackAppender, PackStore } from './pack-store.ts';

/** Where a record's payload lies: enough to read it back. */
export interface PayloadLocation {
  packId: number;
  payloadOffset: number;
  storedLength: number;
}

/** A pack and the length up to which its bytes are known to be on disk. */
export interface DurablePoint {
  packId: number;
  length: number;
}

// Sealed packs that may wait for publish at once: one uploading while the next one fills.
const MAX_UNPUBLISHED = 2;

export interface PackWriterOptions {
  /** A pack is sealed (trailer written) once it reaches this many bytes. */
  targetPackBytes: number;
}

/**
 * The one appender of a store: records go to the open pack in the order
 * `append` is called; a pack that reaches its target size is sealed and a
 * new one opened. `sync` makes everything appended before it durable, and is
 * what a commit waits for before its index transaction.
 */
export class PackWriter {
  readonly #store: PackStore;
  readonly #options: PackWriterOptions;
  #appender: PackAppender;
  #records: RecordLocation[];
  #syncedBytes: number;
  // Appends, syncs and seals run one after another in this chain.
  #chain: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(store: PackStore, options: PackWriterOptions, appender: PackAppender, records: RecordLocation[]) {
    this.#store = store;
    this.#options = options;
    this.#appender = appender;
    this.#records = records;
    this.#syncedBytes = appender.size;
    this.#published = { packId: appender.packId, length: appender.size };
  }

  /**
   * Continues an open pack (records found by recovery) or, when there is
   * none, starts pack `nextPackId`.
   */
  static async open(
    store: PackStore,
    options: PackWriterOptions,
    openPack: { packId: number; length: number; records: RecordLocation[] } | undefined,
    nextPackId: number,
  ): Promise<PackWriter> {
    if (openPack) {
      const appender = await store.resume(openPack.packId, openPack.length);
      return new PackWriter(store, options, appender, openPack.records);
    }
    return new PackWriter(store, options, await PackWriter.#startPack(store, nextPackId), []);
  }

  static async #startPack(store: PackStore, packId: number): Promise<PackAppender> {
    const appender = await store.create(packId);
    await appender.append([encodePackHeader(packId)]);
    return appender;
  }

  /** The pack currently open for appends. */
  get openPackId(): number {
    return this.#appender.packId;
  }

  /** Packs are sealed once they reach this many bytes. */
  get targetPackBytes(): number {
    return this.#options.targetPackBytes;
  }

  /**
   * Seals the open pack now when it holds records, so that compaction may
   * take it (a store whose newest pack is mostly garbage could otherwise
   * never shrink below it). Appends go on in the next pack.
   */
  sealOpenPack(): Promise<void> {
    return this.#enqueue(async () => {
      if (this.#closed || this.#records.length === 0) return;
      await this.#seal();
    });
  }

  #enqueue<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#chain.then(work);
    this.#chain = result.catch(() => {});
    return result;
  }

  /** Appends records (in order, all to one pack) and returns where each payload lies. */
  append(records: readonly RecordFields[]): Promise<PayloadLocation[]> {
    return this.#enqueue(async () => {
      if (this.#closed) throw new Error('pack writer is closed');
      const appender = this.#appender;
      const pieces: Uint8Array[] = [];
      const placed: PayloadLocation[] = [];
      let offset = appender.size;
      for (const record of records) {
        const head = encodeRecordHead(record);
        pieces.push(head, record.payload);
        const location: RecordLocation = {
          type: record.type,
          codec: record.codec,
          key: Buffer.from(record.key),
          rawLength: record.rawLength,
          recordOffset: offset,
          payloadOffset: offset + head.byteLength,
          storedLength: record.payload.byteLength,
          payloadCrc: head.readUInt32LE(16),
        };
        this.#records.push(location);
        placed.push({ packId: appender.packId, payloadOffset: location.payloadOffset, storedLength: location.storedLength });
        offset = location.payloadOffset + location.storedLength;
      }
      await appender.append(pieces);
      if (appender.size >= this.#options.targetPackBytes) await this.#seal();
      return placed;
    });
  }

  /**
   * Makes every record appended so far durable, and says how far the open
   * pack is durable: recovery never cuts a pack below that point.
   *
   * Concurrent callers share fsyncs (group commit): a caller whose records
   * an fsync already in flight does not cover waits for it, then starts
   * one fsync for everyone who arrived meanwhile.
   */
  async sync(): Promise<DurablePoint> {
    if (this.#store.durableOnSeal) return this.#syncBySeal();
    // Appends queued before this call finish first (a sealed pack is synced by its seal).
    const { appender, target } = await this.#enqueue(async () => ({ appender: this.#appender, target: this.#appender.size }));
    while (appender === this.#appender && this.#syncedBytes < target) {
      if (this.#syncing) {
        await this.#syncing;
        continue;
      }
      const size = appender.size;
      this.#syncing = appender
        .sync()
        .then(() => {
          if (appender === this.#appender) this.#syncedBytes = Math.max(this.#syncedBytes, size);
        })
        .finally(() => {
          this.#syncing = undefined;
        });
      await this.#syncing;
    }
    return { packId: appender.packId, length: target };
  }

  #syncing: Promise<void> | undefined;

  /**
   * sync for a store whose packs become durable only when sealed and
   * published (object storage). Group commit the same way: while a publish
   * is in flight, records keep arriving in the next open pack; a caller
   * whose records it does not hold waits for it, then one seal takes
   * everything that arrived meanwhile.
   */
  async #syncBySeal(): Promise<DurablePoint> {
    // The newest pack holding records appended before this call.
    const packId = await this.#enqueue(async () => this.#appender.packId - (this.#records.length > 0 ? 0 : 1));
    for (;;) {
      if (packId < this.#appender.packId) {
        await this.#publishThrough(packId);
        return this.#published;
      }
      const last = this.#unpublished.at(-1);
      if (last) {
        await this.#publishThrough(last.appender.packId);
        continue;
      }
      await this.#enqueue(async () => {
        if (this.#appender.packId === packId) await this.#seal();
      });
    }
  }

  // Sealed packs not yet published, oldest first (durableOnSeal stores).
  #unpublished: { appender: PackAppender; end: number }[] = [];
  #publishing: Promise<void> | undefined;
  // The furthest point published: where the newest published pack's records end.
  #published: DurablePoint;

  /** Publishes sealed packs in id order up to `packId`; callers share the publish in flight. A failure is retried by the next call. */
  async #publishThrough(packId: number): Promise<void> {
    for (;;) {
      const first = this.#unpublished[0];
      if (!first || first.appender.packId > packId) return;
      this.#publishing ??= first.appender
        .publish()
        .then(() => {
          this.#unpublished.shift();
          this.#published = { packId: first.appender.packId, length: first.end };
        })
        .finally(() => {
          this.#publishing = undefined;
        });
      await this.#publishing;
    }
  }

  // Writes the trailer, syncs and closes the pack, then opens the next one.
  async #seal(): Promise<void> {
    const appender = this.#appender;
    await this.#syncing;
    const end = appender.size;
    const durableOnSeal = this.#store.durableOnSeal;
    // Bounds the sealed packs waiting for publish (and their local copies): appends wait here.
    const oldest = this.#unpublished[0];
    if (durableOnSeal && this.#unpublished.length >= MAX_UNPUBLISHED && oldest) await this.#publishThrough(oldest.appender.packId);
    await appender.append([encodeTrailer(this.#records, end)]);
    await appender.sync();
    await appender.close();
    if (durableOnSeal) this.#unpublished.push({ appender, end });
    else await appender.publish();
    this.#appender = await PackWriter.#startPack(this.#store, appender.packId + 1);
    this.#records = [];
    this.#syncedBytes = 0;
    // A pack sealed for size uploads while the next one fills; its records wait for it in sync.
    if (durableOnSeal) void this.#publishThrough(appender.packId).catch(() => {});
  }

  /**
   * Syncs and closes the open pack; it stays open on disk and is resumed by
   * the next open (a durableOnSeal store drops it instead: its records were
   * never made durable, so nothing refers to them).
   */
  close(): Promise<void> {
    return this.#enqueue(async () => {
      if (this.#closed) return;
      this.#closed = true;
      // Uploads in flight end first; one that fails leaves records no index entry refers to.
      await this.#publishThrough(Infinity).catch(() => {});
      await this.#appender.sync();
      await this.#appender.close();
    });
  }
}

/** Seals an open pack that is not the newest (left by a crash): cuts its torn tail and writes its trailer. */
export async function sealPack(store: PackStore, packId: number, length: number, records: readonly RecordLocation[]): Promise<void> {
  const appender = await store.resume(packId, length);
  try {
    await appender.append([encodeTrailer(records, appender.size)]);
    await appender.sync();
  } finally {
    await appender.close();
  }
  await appender.publish();
}
