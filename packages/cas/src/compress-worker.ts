/**
 * Worker-thread side of the compression pool: compresses a batch of chunks
 * that arrive packed in one transferred buffer, and hands the stored forms
 * back the same way (layout in compress-pool.ts).
 */
import { move } from 'piscina';
import { encodeChunk } from './chunk-codec.ts';
import type { CompressTask } from './compress-pool.ts';

export default function compressBatch(task: CompressTask): Uint8Array {
  const input = new Uint8Array(task.buffer);
  const stored: { codec: number; payload: Uint8Array }[] = [];
  let start = 0;
  let payloadBytes = 0;
  for (const length of task.lengths) {
    const chunk = encodeChunk(input.subarray(start, start + length), task.level);
    stored.push(chunk);
    payloadBytes += chunk.payload.byteLength;
    start += length;
  }
  const headLength = 4 + stored.length * 5;
  const output = Buffer.allocUnsafeSlow(headLength + payloadBytes);
  let head = output.writeUInt32LE(stored.length, 0);
  let at = headLength;
  for (const { codec, payload } of stored) {
    head = output.writeUInt32LE(payload.byteLength, head);
    head = output.writeUInt8(codec, head);
    output.set(payload, at);
    at += payload.byteLength;
  }
  return move(output) as Uint8Array;
}
