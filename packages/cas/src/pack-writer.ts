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

  // Writes the trailer, syncs and closes the pack, then opens the next one.
  async #seal(): Promise<void> {
    const appender = this.#appender;
    await this.#syncing;
    await appender.append([encodeTrailer(this.#records, appender.size)]);
    await appender.sync();
    await appender.close();
    this.#appender = await PackWriter.#startPack(this.#store, appender.packId + 1);
    this.#records = [];
    this.#syncedBytes = 0;
  }

  /** Syncs and closes the open pack; it stays open on disk and is resumed by the next open. */
  close(): Promise<void> {
    return this.#enqueue(async () => {
      if (this.#closed) return;
      this.#closed = true;
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
}
