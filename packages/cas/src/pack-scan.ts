import { crc32 } from 'node:zlib';
import { StrataError } from '@strata/errors';
import {
  decodeFooter,
  decodePackHeader,
  decodeRecordHead,
  decodeTrailer,
  FOOTER_LENGTH,
  PACK_HEADER_LENGTH,
  type RecordLocation,
} from './pack-format.ts';
import type { PackStore } from './pack-store.ts';

/** What one pack holds, found from its trailer (sealed) or by scanning its records (open). */
export interface PackScan {
  packId: number;
  sealed: boolean;
  records: RecordLocation[];
  /** Bytes of whole, valid records (plus the header) at the start of an open pack. */
  validLength: number;
  fileLength: number;
}

const SCAN_WINDOW = 8 * 1024 * 1024;

/**
 * Reads a pack's record list. A sealed pack answers from its trailer; an
 * open one is scanned record by record, checking each head and payload CRC,
 * and the scan stops at the first record that is torn or damaged: the bytes
 * from there on are the torn tail.
 */
export async function scanPack(store: PackStore, packId: number): Promise<PackScan> {
  const fileLength = await store.size(packId);
  if (fileLength < PACK_HEADER_LENGTH) {
    return { packId, sealed: false, records: [], validLength: 0, fileLength };
  }
  const header = decodePackHeader(await store.read(packId, 0, PACK_HEADER_LENGTH));
  if (!header || header.packId !== packId) {
    throw new StrataError('DataLoss', `pack ${packId} has no valid pack header`, { details: { packId } });
  }
  if (header.version !== 1) {
    throw new StrataError('FailedPrecondition', `pack ${packId} has unsupported format version ${header.version}`);
  }
  const sealed = await readSealed(store, packId, fileLength);
  if (sealed) return { packId, sealed: true, records: sealed, validLength: fileLength, fileLength };
  return scanOpenPack(store, packId, fileLength);
}

async function readSealed(store: PackStore, packId: number, fileLength: number): Promise<RecordLocation[] | undefined> {
  if (fileLength < PACK_HEADER_LENGTH + FOOTER_LENGTH + 4) return undefined;
  const footer = decodeFooter(await store.read(packId, fileLength - FOOTER_LENGTH, FOOTER_LENGTH), fileLength);
  if (!footer) return undefined;
  const trailer = await store.read(packId, footer.trailerOffset, footer.trailerLength);
  return decodeTrailer(trailer, footer);
}

async function scanOpenPack(store: PackStore, packId: number, fileLength: number): Promise<PackScan> {
  const records: RecordLocation[] = [];
  let offset = PACK_HEADER_LENGTH;
  let window: Buffer = Buffer.alloc(0);
  let windowStart = offset;
  // Returns the bytes [at, at+length) of the pack, reading ahead in large windows.
  const bytesAt = async (at: number, length: number): Promise<Buffer | undefined> => {
    if (at + length > fileLength) return undefined;
    if (at < windowStart || at + length > windowStart + window.byteLength) {
      windowStart = at;
      window = await store.read(packId, at, Math.min(fileLength - at, Math.max(length, SCAN_WINDOW)));
    }
    return window.subarray(at - windowStart, at - windowStart + length);
  };
  for (;;) {
    const head = await bytesAt(offset, Math.min(fileLength - offset, 24 + 1024));
    if (!head || head.byteLength === 0) break;
    const decoded = decodeRecordHead(head);
    if (!decoded.ok) break;
    const payloadOffset = offset + decoded.headLength;
    const payload = await bytesAt(payloadOffset, decoded.location.storedLength);
    if (!payload || crc32(payload) !== decoded.location.payloadCrc) break;
    records.push({ ...decoded.location, recordOffset: offset, payloadOffset });
    offset = payloadOffset + decoded.location.storedLength;
  }
  return { packId, sealed: false, records, validLength: offset, fileLength };
}
