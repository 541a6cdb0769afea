/**
 * A small tar writer for tests: deterministic ustar headers (fixed mode,
 * owner and mtime) with pax, GNU long-name and GNU sparse variants, so the
 * archives and the chunk boundaries pinned over them never depend on the
 * machine's tar.
 */
const BLOCK = 512;

export interface TarEntry {
  name: string;
  data: Uint8Array;
  /** Header type flag; '0' (regular file) by default. */
  type?: string;
  /** Write the name in a pax 'x' header before this one. */
  pax?: boolean;
  /** Write the name in a GNU 'L' header before this one. */
  gnuLongName?: boolean;
  /** Number of GNU sparse extension blocks after the header (type 'S'). */
  sparseExtensions?: number;
}

function octal(block: Uint8Array, at: number, width: number, value: number): void {
  const text = value.toString(8).padStart(width - 1, '0');
  block.set(Buffer.from(text, 'ascii'), at);
  block[at + width - 1] = 0;
}

export function header(name: string, size: number, type: string): Uint8Array {
  const block = new Uint8Array(BLOCK);
  block.set(Buffer.from(name.slice(0, 100), 'utf8'), 0);
  octal(block, 100, 8, 0o644);
  octal(block, 108, 8, 0);
  octal(block, 116, 8, 0);
  octal(block, 124, 12, size);
  octal(block, 136, 12, 1_700_000_000);
  block[156] = type.charCodeAt(0);
  block.set(Buffer.from('ustar\x0000', 'latin1'), 257);
  return sealChecksum(block);
}

export function sealChecksum(block: Uint8Array): Uint8Array {
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  octal(block, 148, 7, sum);
  block[155] = 0x20;
  return block;
}

function padded(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(data.length / BLOCK) * BLOCK);
  out.set(data);
  return out;
}

/** One pax record: "<length> <key>=<value>\n", the length counting itself. */
export function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = body.length + 1;
  while (String(length).length + body.length !== length) length++;
  return `${length}${body}`;
}

/** The blocks of one member, extension headers first. */
export function memberBlocks(entry: TarEntry): Uint8Array[] {
  const blocks: Uint8Array[] = [];
  const type = entry.type ?? '0';
  if (entry.pax) {
    const records = Buffer.from(paxRecord('path', entry.name), 'utf8');
    blocks.push(header('PaxHeaders/x', records.length, 'x'), padded(records));
  }
  if (entry.gnuLongName) {
    const name = Buffer.from(`${entry.name}\0`, 'utf8');
    blocks.push(header('././@LongLink', name.length, 'L'), padded(name));
  }
  const main = header(entry.name, entry.data.length, type);
  if (entry.sparseExtensions) {
    main[482] = 1;
    sealChecksum(main);
    blocks.push(main);
    for (let i = 0; i < entry.sparseExtensions; i++) {
      const extension = new Uint8Array(BLOCK);
      extension[504] = i + 1 < entry.sparseExtensions ? 1 : 0;
      blocks.push(extension);
    }
  } else {
    blocks.push(main);
  }
  blocks.push(padded(entry.data));
  return blocks;
}

export interface Tar {
  bytes: Uint8Array;
  /** Offset of each member's first header, in entry order. */
  starts: number[];
  /** Offset of each member's main header (after its extension headers). */
  mainHeaders: number[];
}

/** A whole archive: the members, then two zero blocks. */
export function buildTar(entries: readonly TarEntry[]): Tar {
  const parts: Uint8Array[] = [];
  const starts: number[] = [];
  const mainHeaders: number[] = [];
  let offset = 0;
  for (const entry of entries) {
    starts.push(offset);
    const blocks = memberBlocks(entry);
    const extensionBlocks = (entry.pax ? 1 + Math.ceil(Buffer.byteLength(paxRecord('path', entry.name)) / BLOCK) : 0)
      + (entry.gnuLongName ? 1 + Math.ceil((Buffer.byteLength(entry.name) + 1) / BLOCK) : 0);
    mainHeaders.push(offset + extensionBlocks * BLOCK);
    for (const block of blocks) {
      parts.push(block);
      offset += block.length;
    }
  }
  parts.push(new Uint8Array(2 * BLOCK));
  return { bytes: Buffer.concat(parts), starts, mainHeaders };
}
