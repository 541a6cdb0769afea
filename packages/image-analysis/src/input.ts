import type { LayerFacts } from './layer-scan.ts';

/** One image of an input: its name and the keys of its layers, in order. */
export interface InputImage {
  name: string;
  layers: string[];
}

/**
 * Reads a layer for the analysis. Layers are read once per key (a digest
 * when the input names it, else the input's own path for the blob): a
 * second call with a known key does not touch `body`.
 */
export type LayerReader = (key: string, body: () => LayerBody, expectedBytes?: number) => Promise<LayerFacts>;

/** A layer's stored bytes, in pieces. */
export type LayerBody = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** Something `strata analyze` takes: an OCI layout, a docker-archive, a blob directory, an image on a registry. */
export interface ImageInput {
  kind: 'oci-layout' | 'docker-archive' | 'blob-directory' | 'registry';
  /** The argument as the user gave it. */
  input: string;
  /** Bytes this input will read, when known up front (for progress). */
  expectedBytes(): Promise<number | undefined>;
  /** Reads every layer of every image through `readLayer`, and names the images. */
  read(readLayer: LayerReader, signal: AbortSignal | undefined): Promise<InputImage[]>;
}
