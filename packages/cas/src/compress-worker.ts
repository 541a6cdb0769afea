/**
 * Worker-thread side of the compression pool: compresses a batch of chunks
 * that arrive packed in one transferred buffer, and hands the stored forms
 * back the same way.
 */
import { encodeChunk } from './chunk-codec.ts';
import type { CompressTask, CompressResult } from './compress-pool.ts';

export default function compressBatch(task: CompressTask): CompressResult {
  const input = new Uint8Array(task.buffer);
  const payloads: Uint8Array[] = [];
  const codecs: number[] = [];
  let total = 0;
  let start = 0;
  for (const length of task.lengths) {
    const { codec, payload } = encodeChunk(input.subarray(start, start + length), task.level);
    payloads.push(payload);
    codecs.push(codec);
    total += payload.byteLength;
    start += length;
  }
  const output = new Uint8Array(total);
  const lengths: number[] = [];
  let at = 0;
  for (const payload of payloads) {
    output.set(payload, at);
    at += payload.byteLength;
    lengths.push(payload.byteLength);
  }
  // The result is copied back (structured clone): about as cheap as a transfer at batch sizes.
  return { buffer: output.buffer, lengths, codecs };
}
