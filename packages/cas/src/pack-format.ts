/**
 * The byte format of pack files (packages/cas/FORMAT.md is the prose
 * version). Pure functions only: encoding and decoding of the pack header,
 * records, the trailer and the footer.
 *
 *   pack    = header record* [trailer footer]
 *   header  = "STRATAPK" u16:version u16:0 u32:packId              (16 bytes)
 *   record  = u32:"STR1" u8:type u8:codec u16:keyLength
 *             u32:rawLength u32:storedLength u32:payloadCrc u32:headerCrc
 *             key[keyLength] payload[storedLength]
 *   trailer = u32:count (u8:type u8:codec u16:keyLength key u48:recordOffset
 *             u32:rawLength u32:storedLength u32:payloadCrc)*
 *   footer  = u48:trailerOffset u16:0 u32:trailerLength u32:trailerCrc "STRATEND"  (24 bytes)
 *
 * All integers little-endian. `headerCrc` is the CRC-32 of the record's first
 * 20 bytes followed by its key; `payloadCrc` the CRC-32 of the stored
 * payload. A pack without a valid footer is "open": its records are found by
 * scanning from the header, and a record that fails its checks or runs past
 * the end of the file marks a torn tail.
 */
import { crc32 } from 'node:zlib';

export const PACK_FORMAT_VERSION = 1;
export const PACK_MAGIC = Buffer.from('STRATAPK', 'latin1');
export const FOOTER_MAGIC = Buffer.from('STRATEND', 'latin1');
export const RECORD_MAGIC = 0x31525453; // "STR1" read as little-endian u32
export const PACK_HEADER_LENGTH = 16;
export const RECORD_HEADER_LENGTH = 24;
export const FOOTER_LENGTH = 24;
/** Keys longer than this are refused (digest strings are far shorter). */
export const MAX_KEY_LENGTH = 1024;
/** Payloads larger than this are refused (chunks are at most a few hundred KiB; recipes can be larger). */
export const MAX_PAYLOAD_LENGTH = 256 * 1024 * 1024;

/** What a record holds. */
export const RecordType = {
  /** A chunk: key = raw sha256 (32 bytes), payload = the chunk, maybe compressed. */
  Chunk: 1,
  /** A blob recipe: key = the blob's digest string, payload = encoded recipe. */
  Recipe: 2,
  /** A blob deletion: key = the blob's digest string, empty payload. */
  Tombstone: 3,
} as const;
export type RecordType = (typeof RecordType)[keyof typeof RecordType];

/** How a payload is stored. */
export const Codec = { None: 0, Zstd: 1 } as const;
export type Codec = (typeof Codec)[keyof typeof Codec];

export interface RecordFields {
  type: RecordType;
  codec: Codec;
  key: Uint8Array;
  rawLength: number;
  payload: Uint8Array;
}

/** A record found in a pack: where its payload lies. */
export interface RecordLocation {
  type: RecordType;
  codec: Codec;
  key: Buffer;
  rawLength: number;
  /** Offset of the record's first byte in the pack. */
  recordOffset: number;
  /** Offset of the payload's first byte in the pack. */
  payloadOffset: number;
  storedLength: number;
  payloadCrc: number;
}

export function encodePackHeader(packId: number): Buffer {
  const header = Buffer.alloc(PACK_HEADER_LENGTH);
  PACK_MAGIC.copy(header, 0);
  header.writeUInt16LE(PACK_FORMAT_VERSION, 8);
  header.writeUInt32LE(packId, 12);
  return header;
}

/** The pack id in a header, or undefined when the header is not a strata pack header. */
export function decodePackHeader(header: Uint8Array): { packId: number; version: number } | undefined {
  if (header.byteLength < PACK_HEADER_LENGTH) return undefined;
  const bytes = Buffer.from(header.buffer, header.byteOffset, PACK_HEADER_LENGTH);
  if (!bytes.subarray(0, 8).equals(PACK_MAGIC)) return undefined;
  return { version: bytes.readUInt16LE(8), packId: bytes.readUInt32LE(12) };
}

export function recordLength(keyLength: number, storedLength: number): number {
  return RECORD_HEADER_LENGTH + keyLength + storedLength;
}

/** Encodes a record's header and key; the payload follows it unchanged. */
export function encodeRecordHead(fields: RecordFields): Buffer {
  const { key, payload } = fields;
  const head = Buffer.alloc(RECORD_HEADER_LENGTH + key.byteLength);
  head.writeUInt32LE(RECORD_MAGIC, 0);
  head.writeUInt8(fields.type, 4);
  head.writeUInt8(fields.codec, 5);
  head.writeUInt16LE(key.byteLength, 6);
  head.writeUInt32LE(fields.rawLength, 8);
  head.writeUInt32LE(payload.byteLength, 12);
  head.writeUInt32LE(crc32(payload), 16);
  head.set(key, RECORD_HEADER_LENGTH);
  head.writeUInt32LE(crc32(key, crc32(head.subarray(0, 20))), 20);
  return head;
}

export type RecordHeadResult =
  | { ok: true; location: Omit<RecordLocation, 'recordOffset' | 'payloadOffset'>; headLength: number }
  | { ok: false; reason: 'short' | 'corrupt' };

/**
 * Decodes the record head at the start of `bytes`. `short` means more bytes
 * are needed to decide; `corrupt` that these bytes are not a valid record.
 */
export function decodeRecordHead(bytes: Buffer): RecordHeadResult {
  if (bytes.byteLength < RECORD_HEADER_LENGTH) return { ok: false, reason: 'short' };
  if (bytes.readUInt32LE(0) !== RECORD_MAGIC) return { ok: false, reason: 'corrupt' };
  const type = bytes.readUInt8(4);
  const codec = bytes.readUInt8(5);
  const keyLength = bytes.readUInt16LE(6);
  const rawLength = bytes.readUInt32LE(8);
  const storedLength = bytes.readUInt32LE(12);
  const payloadCrc = bytes.readUInt32LE(16);
  if (keyLength > MAX_KEY_LENGTH || storedLength > MAX_PAYLOAD_LENGTH) return { ok: false, reason: 'corrupt' };
  if (bytes.byteLength < RECORD_HEADER_LENGTH + keyLength) return { ok: false, reason: 'short' };
  const key = bytes.subarray(RECORD_HEADER_LENGTH, RECORD_HEADER_LENGTH + keyLength);
  if (crc32(key, crc32(bytes.subarray(0, 20))) !== bytes.readUInt32LE(20)) return { ok: false, reason: 'corrupt' };
  if (!isRecordType(type) || !isCodec(codec)) return { ok: false, reason: 'corrupt' };
  return {
    ok: true,
    headLength: RECORD_HEADER_LENGTH + keyLength,
    location: { type, codec, key: Buffer.from(key), rawLength, storedLength, payloadCrc },
  };
}

function isRecordType(value: number): value is RecordType {
  return value === RecordType.Chunk || value === RecordType.Recipe || value === RecordType.Tombstone;
}

function isCodec(value: number): value is Codec {
  return value === Codec.None || value === Codec.Zstd;
}

/** The trailer listing every record of a pack, then the footer that finds it. */
export function encodeTrailer(records: readonly RecordLocation[], trailerOffset: number): Buffer {
  let length = 4;
  for (const record of records) length += TRAILER_ENTRY_FIXED + record.key.byteLength;
  const trailer = Buffer.alloc(length + FOOTER_LENGTH);
  let at = trailer.writeUInt32LE(records.length, 0);
  for (const record of records) {
    at = trailer.writeUInt8(record.type, at);
    at = trailer.writeUInt8(record.codec, at);
    at = trailer.writeUInt16LE(record.key.byteLength, at);
    at += record.key.copy(trailer, at);
    at = trailer.writeUIntLE(record.recordOffset, at, 6);
    at = trailer.writeUInt32LE(record.rawLength, at);
    at = trailer.writeUInt32LE(record.storedLength, at);
    at = trailer.writeUInt32LE(record.payloadCrc, at);
  }
  at = trailer.writeUIntLE(trailerOffset, at, 6);
  at = trailer.writeUInt16LE(0, at);
  at = trailer.writeUInt32LE(length, at);
  at = trailer.writeUInt32LE(crc32(trailer.subarray(0, length)), at);
  FOOTER_MAGIC.copy(trailer, at);
  return trailer;
}

const TRAILER_ENTRY_FIXED = 1 + 1 + 2 + 6 + 4 + 4 + 4;

export interface Footer {
  trailerOffset: number;
  trailerLength: number;
  trailerCrc: number;
}

/** The footer at the end of a sealed pack, or undefined for an open (or damaged) one. */
export function decodeFooter(footer: Buffer, packSize: number): Footer | undefined {
  if (footer.byteLength !== FOOTER_LENGTH) return undefined;
  if (!footer.subarray(16).equals(FOOTER_MAGIC)) return undefined;
  const trailerOffset = footer.readUIntLE(0, 6);
  const trailerLength = footer.readUInt32LE(8);
  if (trailerOffset + trailerLength + FOOTER_LENGTH !== packSize) return undefined;
  return { trailerOffset, trailerLength, trailerCrc: footer.readUInt32LE(12) };
}

/** The records a trailer lists. Undefined when its CRC or structure is wrong. */
export function decodeTrailer(trailer: Buffer, footer: Footer): RecordLocation[] | undefined {
  if (trailer.byteLength !== footer.trailerLength || crc32(trailer) !== footer.trailerCrc) return undefined;
  const count = trailer.readUInt32LE(0);
  const records: RecordLocation[] = [];
  let at = 4;
  for (let i = 0; i < count; i++) {
    if (at + TRAILER_ENTRY_FIXED > trailer.byteLength) return undefined;
    const type = trailer.readUInt8(at);
    const codec = trailer.readUInt8(at + 1);
    const keyLength = trailer.readUInt16LE(at + 2);
    const key = Buffer.from(trailer.subarray(at + 4, at + 4 + keyLength));
    at += 4 + keyLength;
    const recordOffset = trailer.readUIntLE(at, 6);
    const rawLength = trailer.readUInt32LE(at + 6);
    const storedLength = trailer.readUInt32LE(at + 10);
    const payloadCrc = trailer.readUInt32LE(at + 14);
    at += 18;
    if (!isRecordType(type) || !isCodec(codec)) return undefined;
    records.push({
      type,
      codec,
      key,
      rawLength,
      recordOffset,
      payloadOffset: recordOffset + RECORD_HEADER_LENGTH + keyLength,
      storedLength,
      payloadCrc,
    });
  }
  return records;
}
