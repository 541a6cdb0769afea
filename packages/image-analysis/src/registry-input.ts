import { createHash } from 'node:crypto';
import { StrataError } from '@strata/errors';
import { type ImageReference, formatImageReference } from './image-reference.ts';
import type { ImageInput, InputImage, LayerReader } from './input.ts';
import { type Descriptor, MANIFEST_MEDIA_TYPES, MAX_MANIFEST_BYTES, imagesUnder } from './manifests.ts';
import { RegistryClient } from './registry-client.ts';

/** An image (or every image of an index) on a registry, read over the distribution API. */
export class RegistryInput implements ImageInput {
  readonly kind = 'registry';
  readonly input: string;
  readonly #ref: ImageReference;
  readonly #tlsVerify: boolean;

  constructor(input: string, ref: ImageReference, tlsVerify: boolean) {
    this.input = input;
    this.#ref = ref;
    this.#tlsVerify = tlsVerify;
  }

  async expectedBytes(): Promise<number | undefined> {
    return undefined;
  }

  async read(readLayer: LayerReader, signal: AbortSignal | undefined): Promise<InputImage[]> {
    const client = new RegistryClient(this.#ref.host, { tlsVerify: this.#tlsVerify, signal });
    const { repository } = this.#ref;
    const name = formatImageReference(this.#ref);
    try {
      const fetchManifest = async (reference: string): Promise<{ bytes: Uint8Array; mediaType: string | undefined; digest: string }> => {
        const response = await client.get(`${repository}/manifests/${reference}`, repository, `${name}: manifest ${reference}`, {
          accept: MANIFEST_MEDIA_TYPES.join(', '),
        });
        const bytes = new Uint8Array(await response.arrayBuffer());
        if (bytes.length > MAX_MANIFEST_BYTES) throw new StrataError('InvalidArgument', `${name}: manifest ${reference} is too large`);
        const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
        return { bytes, mediaType: response.headers.get('content-type')?.split(';')[0]?.trim(), digest };
      };
      const root = await fetchManifest(this.#ref.reference);
      const rootDescriptor: Descriptor = { digest: root.digest, mediaType: root.mediaType };
      const found = await imagesUnder(rootDescriptor, async (descriptor) =>
        descriptor === rootDescriptor ? root.bytes : (await fetchManifest(descriptor.digest)).bytes,
      );
      const images: InputImage[] = [];
      for (const image of found) {
        const layers: string[] = [];
        for (const layer of image.layers) {
          const body = async function* (): AsyncGenerator<Uint8Array> {
            const response = await client.get(`${repository}/blobs/${layer.digest}`, repository, `${name}: layer ${layer.digest}`);
            if (response.body) yield* response.body;
          };
          await readLayer(layer.digest, body, layer.size);
          layers.push(layer.digest);
        }
        images.push({ name: image.path ? `${name} (${image.path})` : name, layers });
      }
      return images;
    } finally {
      await client.close();
    }
  }
}
