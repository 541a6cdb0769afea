import { mkdir, open, readdir, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { StrataError } from '@strata/errors';

/**
 * Where pack files live. The engine touches pack bytes only through this
 * interface, so packs can move to object storage without the engine knowing.
 * Packs are append-only while open and immutable once sealed.
 */
export interface PackStore {
  /**
   * False when `PackAppender.sync` makes appended bytes durable (a local
   * disk). True when only a sealed pack can be made durable, by `publish`
   * (object storage, where an object is written whole): the writer then
   * seals the open pack on every sync that has records to make durable.
   */
  readonly durableOnSeal: boolean;
  /** Ids of every pack, ascending. */
  list(): Promise<number[]>;
  size(packId: number): Promise<number>;
  /** Exactly `length` bytes at `offset`; DataLoss when the pack is shorter. */
  read(packId: number, offset: number, length: number): Promise<Buffer>;
  /** Creates a new, empty pack; AlreadyExists when the id is taken. */
  create(packId: number): Promise<PackAppender>;
  /** Reopens an open pack for appending after cutting it to `length` bytes (a torn tail). */
  resume(packId: number, length: number): Promise<PackAppender>;
  /** Deletes a pack. Reads of it already in flight still complete; later ones fail. */
  remove(packId: number): Promise<void>;
  /** Bytes all packs occupy. */
  totalBytes(): Promise<number>;
  close(): Promise<void>;
}

/** Appends to one pack. Calls must not overlap: the caller serializes them. */
export interface PackAppender {
  readonly packId: number;
  /** Bytes in the pack, including those not yet synced. */
  readonly size: number;
  append(pieces: readonly Uint8Array[]): Promise<void>;
  /** Makes every appended byte durable, or (durableOnSeal) safe on local disk until `publish`. */
  sync(): Promise<void>;
  close(): Promise<void>;
  /**
   * Called once the pack is sealed, synced and closed: makes it durable
   * where the store keeps packs (the upload, for object storage; nothing
   * for a local disk). May be called again after it failed.
   */
  publish(): Promise<void>;
}

const MAX_OPEN_READERS = 128;

export function packFileName(packId: number): string {
  return `${packId.toString().padStart(8, '0')}.pack`;
}

/** An open read handle and the reads using it. */
interface Reader {
  handle: Promise<FileHandle>;
  users: number;
  /** No longer handed out (evicted, or its pack removed): closed once its last read ends. */
  retired: boolean;
}

/**
 * Packs as files in one local directory. A pack removed while reads of it
 * are in flight keeps its handle open until they end: on POSIX the removed
 * file's bytes stay readable through it, so a reader that resolved a
 * location before compaction moved the record still gets its bytes.
 */
export class LocalPackStore implements PackStore {
  readonly durableOnSeal = false;
  readonly dir: string;
  // Open read handles, least recently used first.
  #readers = new Map<number, Reader>();

  private constructor(dir: string) {
    this.dir = dir;
  }

  static async open(dir: string): Promise<LocalPackStore> {
    await mkdir(dir, { recursive: true });
    return new LocalPackStore(dir);
  }

  #path(packId: number): string {
    return join(this.dir, packFileName(packId));
  }

  async list(): Promise<number[]> {
    const names = await readdir(this.dir);
    return names
      .map((name) => /^(\d{8})\.pack$/.exec(name)?.[1])
      .filter((id): id is string => id !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  async size(packId: number): Promise<number> {
    return (await stat(this.#path(packId))).size;
  }

  async read(packId: number, offset: number, length: number): Promise<Buffer> {
    const reader = this.#reader(packId);
    reader.users++;
    try {
      const handle = await reader.handle;
      const buffer = Buffer.allocUnsafe(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await handle.read(buffer, done, length - done, offset + done);
        if (bytesRead === 0) {
          throw new StrataError('DataLoss', `pack ${packId} ends before byte ${offset + length}`, {
            details: { packId, offset, length },
          });
        }
        done += bytesRead;
      }
      return buffer;
    } finally {
      reader.users--;
      if (reader.retired && reader.users === 0) closeReader(reader);
    }
  }

  #reader(packId: number): Reader {
    let reader = this.#readers.get(packId);
    if (reader) {
      this.#readers.delete(packId);
      this.#readers.set(packId, reader);
      return reader;
    }
    const handle = open(this.#path(packId), 'r').catch((error: unknown) => {
      if (this.#readers.get(packId) === reader) this.#readers.delete(packId);
      throw new StrataError('DataLoss', `pack ${packId} cannot be opened`, { cause: error, details: { packId } });
    });
    reader = { handle, users: 0, retired: false };
    this.#readers.set(packId, reader);
    if (this.#readers.size > MAX_OPEN_READERS) {
      const [oldest] = this.#readers.keys();
      this.#retire(oldest!);
    }
    return reader;
  }

  #retire(packId: number): void {
    const reader = this.#readers.get(packId);
    if (!reader) return;
    this.#readers.delete(packId);
    reader.retired = true;
    if (reader.users === 0) closeReader(reader);
  }

  async create(packId: number): Promise<PackAppender> {
    try {
      const handle = await open(this.#path(packId), 'wx');
      return new FilePackAppender(packId, handle, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new StrataError('AlreadyExists', `pack ${packId} exists`, { cause: error });
      }
      throw error;
    }
  }

  async resume(packId: number, length: number): Promise<PackAppender> {
    const handle = await open(this.#path(packId), 'r+');
    await handle.truncate(length);
    await handle.sync();
    this.#retire(packId);
    return new FilePackAppender(packId, handle, length);
  }

  async remove(packId: number): Promise<void> {
    this.#retire(packId);
    await rm(this.#path(packId), { force: true });
  }

  async totalBytes(): Promise<number> {
    let total = 0;
    for (const id of await this.list()) {
      try {
        total += await this.size(id);
      } catch (error) {
        // Removed by compaction since the listing.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    return total;
  }

  async close(): Promise<void> {
    const idle: Reader[] = [];
    for (const [packId, reader] of [...this.#readers]) {
      this.#readers.delete(packId);
      reader.retired = true;
      if (reader.users === 0) idle.push(reader);
    }
    await Promise.all(idle.map((reader) => reader.handle.then((handle) => handle.close()).catch(() => {})));
  }
}

function closeReader(reader: Reader): void {
  void reader.handle.then((handle) => handle.close()).catch(() => {});
}

/** Appends to a pack kept in a local file; `publish` is what the store does with the sealed file. */
export class FilePackAppender implements PackAppender {
  readonly packId: number;
  #handle: FileHandle;
  #size: number;
  readonly #publish: () => Promise<void>;

  constructor(packId: number, handle: FileHandle, size: number, publish: () => Promise<void> = async () => {}) {
    this.packId = packId;
    this.#handle = handle;
    this.#size = size;
    this.#publish = publish;
  }

  publish(): Promise<void> {
    return this.#publish();
  }

  get size(): number {
    return this.#size;
  }

  async append(pieces: readonly Uint8Array[]): Promise<void> {
    let position = this.#size;
    // writev keeps one syscall per batch of records.
    const { bytesWritten } = await this.#handle.writev(pieces as Uint8Array[], position);
    const expected = pieces.reduce((sum, piece) => sum + piece.byteLength, 0);
    position += bytesWritten;
    if (bytesWritten !== expected) {
      // Short writev: finish piece by piece.
      let skip = bytesWritten;
      for (const piece of pieces) {
        if (skip >= piece.byteLength) {
          skip -= piece.byteLength;
          continue;
        }
        let rest = piece.subarray(skip);
        skip = 0;
        while (rest.byteLength > 0) {
          const written = (await this.#handle.write(rest, 0, rest.byteLength, position)).bytesWritten;
          position += written;
          rest = rest.subarray(written);
        }
      }
    }
    this.#size = position;
  }

  async sync(): Promise<void> {
    await this.#handle.datasync();
  }

  async close(): Promise<void> {
    await this.#handle.close();
  }
}
