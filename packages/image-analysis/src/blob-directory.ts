import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { ImageInput, InputImage, LayerReader } from './input.ts';
import { fileBody } from './oci-layout.ts';

/**
 * A directory of layer blobs, compressed or not, under any names: every
 * regular file below it (in name order) is a layer of one image named
 * after the directory.
 */
export class BlobDirectoryInput implements ImageInput {
  readonly kind = 'blob-directory';
  readonly input: string;
  #files: { path: string; size: number }[] | undefined;

  constructor(input: string) {
    this.input = input;
  }

  async #list(): Promise<{ path: string; size: number }[]> {
    if (this.#files) return this.#files;
    const entries = await readdir(this.input, { recursive: true, withFileTypes: true });
    const files: { path: string; size: number }[] = [];
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      const path = join(entry.parentPath, entry.name);
      files.push({ path, size: (await stat(path)).size });
    }
    files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    this.#files = files;
    return files;
  }

  async expectedBytes(): Promise<number> {
    return (await this.#list()).reduce((sum, file) => sum + file.size, 0);
  }

  async read(readLayer: LayerReader, signal: AbortSignal | undefined): Promise<InputImage[]> {
    const layers: string[] = [];
    for (const file of await this.#list()) {
      const key = `${this.input}/${relative(this.input, file.path)}`;
      await readLayer(key, () => fileBody(file.path, signal), file.size);
      layers.push(key);
    }
    return [{ name: this.input, layers }];
  }
}
