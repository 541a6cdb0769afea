import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import tarStream from 'tar-stream';
import { parseDigest } from '@strata/digest';
import { StrataError } from '@strata/errors';
import type { ImageInput, InputImage, LayerReader } from './input.ts';
import { type Descriptor, MAX_MANIFEST_BYTES, imagesUnder, parseJson } from './manifests.ts';
import { imageName } from './oci-layout.ts';

/** Members up to this size are held until the manifests say what they are; larger ones are read as layers when they pass. */
const HELD_MEMBER_BYTES = MAX_MANIFEST_BYTES;

interface DockerManifestEntry {
  Config?: string;
  RepoTags?: string[] | null;
  Layers?: string[];
}

function memberName(name: string): string {
  return posix.normalize(name).replace(/^\.\//, '').replace(/^\/+/, '');
}

/**
 * A `docker save` archive, read in one pass: the classic form (manifest.json
 * naming `<id>/layer.tar` members) and the OCI layout inside a tar that
 * newer docker writes (manifest.json and index.json over `blobs/sha256/`).
 * Layers stream through the analysis as they pass; small members wait in
 * memory until the manifests, usually at the end, say which are layers.
 */
export class DockerArchiveInput implements ImageInput {
  readonly kind = 'docker-archive';
  readonly input: string;

  constructor(input: string) {
    this.input = input;
  }

  async expectedBytes(): Promise<number> {
    return (await stat(this.input)).size;
  }

  async read(readLayer: LayerReader, signal: AbortSignal | undefined): Promise<InputImage[]> {
    const held = new Map<string, Uint8Array>();
    const passed = new Set<string>();
    const key = (name: string): string => `${this.input}:${name}`;
    const extract = tarStream.extract();
    const walk = (async () => {
      for await (const entry of extract) {
        const name = memberName(entry.header.name);
        const size = entry.header.size ?? 0;
        if (entry.header.type !== 'file' && entry.header.type !== 'contiguous-file') {
          entry.resume();
          continue;
        }
        if (size <= HELD_MEMBER_BYTES) {
          const pieces: Buffer[] = [];
          for await (const piece of entry as AsyncIterable<Buffer>) pieces.push(piece);
          held.set(name, Buffer.concat(pieces));
          continue;
        }
        await readLayer(key(name), () => entry as AsyncIterable<Uint8Array>, size);
        // A layer read before under the same key leaves its body unread.
        for await (const _ of entry as AsyncIterable<Buffer>);
        passed.add(name);
      }
    })();
    try {
      await Promise.all([pipeline(createReadStream(this.input, { highWaterMark: 1024 * 1024, signal }), extract), walk]);
    } catch (error) {
      if (error instanceof StrataError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new StrataError('NotFound', `${this.input}: no such file`, { cause: error });
      if (code === 'ABORT_ERR') throw new StrataError('Cancelled', 'cancelled', { cause: error });
      throw new StrataError('InvalidArgument', `${this.input}: not a docker-archive (${error instanceof Error ? error.message : String(error)})`, { cause: error });
    }

    const readMember = async (name: string): Promise<string> => {
      const bytes = held.get(name);
      if (bytes !== undefined) await readLayer(key(name), () => [bytes], bytes.length);
      else if (!passed.has(name)) throw new StrataError('NotFound', `${this.input}: ${name} is named by the manifest but not in the archive`);
      return key(name);
    };

    const manifest = held.get('manifest.json');
    if (manifest !== undefined) {
      let entries: unknown;
      try {
        entries = JSON.parse(Buffer.from(manifest).toString('utf8'));
      } catch {
        entries = undefined;
      }
      if (!Array.isArray(entries)) throw new StrataError('InvalidArgument', `${this.input}: manifest.json is not a list of images`);
      const images: InputImage[] = [];
      for (const [i, entry] of (entries as DockerManifestEntry[]).entries()) {
        const layers: string[] = [];
        for (const layer of entry.Layers ?? []) layers.push(await readMember(memberName(layer)));
        images.push({ name: entry.RepoTags?.[0] ? `${this.input}:${entry.RepoTags[0]}` : `${this.input}#${i}`, layers });
      }
      return images;
    }
    const index = held.get('index.json');
    if (index === undefined) throw new StrataError('InvalidArgument', `${this.input}: not a docker-archive (no manifest.json or index.json)`);
    const blobName = (digest: string): string => {
      const { algorithm, hex } = parseDigest(digest);
      return `blobs/${algorithm}/${hex}`;
    };
    const images: InputImage[] = [];
    const roots = parseJson(index, `${this.input}:index.json`).manifests;
    for (const root of Array.isArray(roots) ? (roots as Descriptor[]) : []) {
      const found = await imagesUnder(root, async (descriptor) => {
        const bytes = held.get(blobName(descriptor.digest));
        if (bytes === undefined) throw new StrataError('NotFound', `${this.input}: manifest ${descriptor.digest} is not in the archive`);
        return bytes;
      });
      for (const image of found) {
        const layers: string[] = [];
        for (const layer of image.layers) layers.push(await readMember(blobName(layer.digest)));
        images.push({ name: imageName(this.input, root, image.path, ':'), layers });
      }
    }
    return images;
  }
}
