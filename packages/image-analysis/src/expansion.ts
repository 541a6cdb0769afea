import type { LayerCodec } from './layer-codec.ts';

/**
 * Whether strata would keep a layer expanded (its uncompressed tar chunked,
 * the compressed bytes rebuilt on read) and what rebuilding costs beyond
 * the chunks: the correction bytes a reconstruction records.
 */
export interface ExpansionVerdict {
  expanded: boolean;
  /** Bytes stored beside the chunks to rebuild the compressed stream exactly; undefined when not measured. */
  correctionBytes: number | undefined;
  /** What decided: the producer found, or why the layer stays compressed. */
  note: string;
}

/** Watches one layer's stored bytes go by and then gives its verdict. */
export interface ExpansionProbe {
  push(stored: Uint8Array): void | Promise<void>;
  finish(): Promise<ExpansionVerdict>;
}

/**
 * The hook through which a reconstruction engine (gzip re-encoding with
 * correction streams, zstd re-encoding) tells the analysis which layers
 * stay expanded and what their corrections cost. One probe per layer.
 */
export type LayerExpansion = (codec: LayerCodec) => ExpansionProbe;

/**
 * The default when no reconstruction engine is plugged in: every layer is
 * counted as expanded and no correction bytes are measured, so "what strata
 * would store" is the best case and says so (`correctionBytes` undefined).
 */
export const notMeasured: LayerExpansion = (codec) => ({
  push() {},
  async finish() {
    return {
      expanded: true,
      correctionBytes: codec === 'none' ? 0 : undefined,
      note: codec === 'none' ? 'uncompressed' : 'reconstruction not measured',
    };
  },
});
