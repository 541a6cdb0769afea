/**
 * Worker-thread side of layer expansion: parses and models one compressed
 * layer (transferred in) and hands back its plaintext, corrections and
 * parameters, or why it cannot be rebuilt exactly.
 */
import { expandLayer, type ExpandAttempt } from './layer-codecs.ts';

export default function expandInWorker(bytes: Uint8Array): ExpandAttempt {
  // The engine checks the layer rebuilt from its stored chunks; a rebuild here would repeat it.
  return expandLayer(bytes, { verify: false });
}
