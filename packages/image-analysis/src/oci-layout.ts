import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDigest } from '@strata/digest';
import { StrataError } from '@strata/errors';
import type { ImageInput, InputImage, LayerReader } from './input.ts';
import { type Descriptor, MAX_MANIFEST_BYTES, imagesUnder, parseJson } from './manifests.ts';

const REF_NAME = 'org.opencontainers.image.ref.name';
const READ_PIECE = 1024 * 1024;

/** A readable file as a stream of 1 MiB pieces; its failures name the file. */
export function fileBody(path: string, signal?: AbortSignal): AsyncIterable<Uint8Array> {
  return createReadStream(path, { highWaterMark: READ_PIECE, signal });
}

/** The name of an image found in an index: a tag when annotated, else a short digest; then where below it sits. */
export function imageName(base: string, root: Descriptor, path: string, separator: string): string {
  const tag = root.annotations?.[REF_NAME];
  const name = tag ? `${base}${separator}${tag}` : `${base}@${root.digest.slice(0, 19)}`;
  return path ? `${name} (${path})` : name;
}

/** An OCI image layout directory: `oci-layout`, `index.json`, `blobs/<alg>/<hex>`. */
export class OciLayoutInput implements ImageInput {
  readonly kind = 'oci-layout';
  readonly input: string;
  readonly #dir: string;

  constructor(input: string, dir = input) {
    this.input = input;
    this.#dir = dir;
  }

  blobPath(digest: string): string {
    const { algorithm, hex } = parseDigest(digest);
    return join(this.#dir, 'blobs', algorithm, hex);
  }

  async #readBlob(descriptor: Descriptor): Promise<Uint8Array> {
    const path = this.blobPath(descriptor.digest);
    try {
      if ((await stat(path)).size > MAX_MANIFEST_BYTES) throw new StrataError('InvalidArgument', `${this.input}: manifest ${descriptor.digest} is too large`);
      return await readFile(path);
    } catch (error) {
      throw layoutError(this.input, descriptor.digest, error);
    }
  }

  async expectedBytes(): Promise<number | undefined> {
    return undefined;
  }

  async read(readLayer: LayerReader, signal: AbortSignal | undefined): Promise<InputImage[]> {
    let index: Record<string, unknown>;
    try {
      index = parseJson(await readFile(join(this.#dir, 'index.json')), `${this.input}/index.json`);
    } catch (error) {
      throw layoutError(this.input, 'index.json', error);
    }
    const roots = Array.isArray(index.manifests) ? (index.manifests as Descriptor[]) : [];
    const images: InputImage[] = [];
    for (const root of roots) {
      for (const image of await imagesUnder(root, (descriptor) => this.#readBlob(descriptor))) {
        const layers: string[] = [];
        for (const layer of image.layers) {
          const path = this.blobPath(layer.digest);
          await readLayer(layer.digest, () => fileBody(path, signal), layer.size);
          layers.push(layer.digest);
        }
        images.push({ name: imageName(this.input, root, image.path, ':'), layers });
      }
    }
    return images;
  }
}

function layoutError(input: string, what: string, error: unknown): StrataError {
  if (error instanceof StrataError) return error;
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
    return new StrataError('NotFound', `${input}: ${what} is missing from the layout`, { cause: error });
  }
  return new StrataError('Internal', `${input}: cannot read ${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}
