import { expandLayer } from '@strata/cas';
import type { LayerExpansion } from './expansion.ts';

/**
 * The probe rebuilds each layer in memory from its plaintext to check it,
 * so it holds the layer and its plaintext whole: larger layers are counted
 * compressed. (The engine streams its expansions and checks them against
 * the stored chunks, so it has no such bound.)
 */
export const PROBE_MAX_BYTES = 512 * 1024 * 1024;

/**
 * Decides each compressed layer the way the engine does: the layer is kept
 * expanded only when its exact bytes rebuild from the plaintext (gzip
 * through redeflate's correction stream, zstd through a level the linked
 * library reproduces), and the corrections count as stored bytes. Layers
 * above `maxBytes` are not probed and count as compressed.
 */
export function engineExpansion(maxBytes: number = PROBE_MAX_BYTES): LayerExpansion {
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
        if (size > maxBytes) return { expanded: false, correctionBytes: undefined, note: `larger than the ${maxBytes}-byte probe bound: counted compressed` };
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
