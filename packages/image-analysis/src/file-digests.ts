import { createHash } from 'node:crypto';
import { once } from 'node:events';
import tarStream from 'tar-stream';

/** The regular files of a tar: each content's identity (first 16 bytes of its sha256, hex) and size. */
export interface FileList {
  keys: string[];
  sizes: number[];
}

/**
 * Hashes the regular files of a tar stream fed to it piece by piece. A
 * stream that is not a tar, or breaks part way, is not an error: `finish`
 * then says so and keeps the files read before the break.
 */
export class FileDigests {
  readonly #extract = tarStream.extract();
  readonly #files: FileList = { keys: [], sizes: [] };
  readonly #read: Promise<void>;
  #broken = false;

  constructor() {
    this.#read = this.#readEntries().catch(() => {
      this.#broken = true;
    });
  }

  async #readEntries(): Promise<void> {
    for await (const entry of this.#extract) {
      const regular = entry.header.type === 'file' || entry.header.type === 'contiguous-file';
      const hash = regular ? createHash('sha256') : undefined;
      let size = 0;
      for await (const piece of entry as AsyncIterable<Buffer>) {
        hash?.update(piece);
        size += piece.length;
      }
      if (hash) {
        this.#files.keys.push(hash.digest('hex').slice(0, 32));
        this.#files.sizes.push(size);
      }
    }
  }

  async write(piece: Uint8Array): Promise<void> {
    if (this.#broken) return;
    if (!this.#extract.write(piece)) await Promise.race([once(this.#extract, 'drain'), this.#read]).catch(() => undefined);
  }

  /** The files read; `tar` is false when the stream was not a whole tar. */
  async finish(): Promise<{ files: FileList; tar: boolean }> {
    // Errors surface through #read; the callback only keeps end() from throwing them.
    if (!this.#broken) this.#extract.end(() => undefined);
    await this.#read;
    return { files: this.#files, tar: !this.#broken };
  }
}
