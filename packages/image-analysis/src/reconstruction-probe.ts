import { DEFAULT_EXPAND_MAX_BYTES, expandLayer } from '@strata/cas';
import type { ExpansionProbe, LayerExpansion } from './expansion.ts';

/**
 * Decides each compressed layer the way the engine does: the layer is kept
 * expanded only when its exact bytes rebuild from the plaintext (gzip
 * through redeflate's correction stream, zstd through a level the linked
 * library reproduces), and the corrections count as stored bytes. Layers
 * above the engine's expansion bound stay compressed, as they would there.
 */
export function engineExpansion(maxBytes: number = DEFAULT_EXPAND_MAX_BYTES): LayerExpansion {
  return (codec) => {
    if (codec === 'none') {
      return {
        push() {},
        async finish() {
          return { expanded: true, correctionBytes: 0, note: 'uncompressed' };
        },
      };
    }
    const pieces: Uint8Array[] = [];
    let size = 0;
    return {
      push(stored) {
        size += stored.byteLength;
        // Past the bound the layer stays compressed: nothing more to keep.
        if (size <= maxBytes) pieces.push(stored);
        else pieces.length = 0;
      },
      async finish() {
        if (size > maxBytes) return { expanded: false, correctionBytes: undefined, note: `larger than the ${maxBytes}-byte expansion bound` };
        const bytes = Buffer.concat(pieces, size);
        pieces.length = 0;
        const attempt = expandLayer(bytes);
        if ('reason' in attempt) return { expanded: false, correctionBytes: undefined, note: attempt.reason };
        const { corrections, params } = attempt.expansion;
        return { expanded: true, correctionBytes: corrections.byteLength + params.byteLength, note: `${codec} rebuilt exactly` };
      },
    };
  };
}
