import { readFile, writeFile, rename } from 'node:fs/promises';
import { DEFAULT_CHUNKER_OPTIONS, validateChunkerOptions, type ChunkerOptions } from '@strata/chunker';
import { StrataError } from '@strata/errors';
import { DEFAULT_ZSTD_LEVEL } from './chunk-codec.ts';
import type { EngineSettings } from './engine-core.ts';
import { FORMAT_NAME, FORMAT_VERSION, formatFile } from './layout.ts';

export const DEFAULT_INLINE_MAX_BYTES = 16 * 1024;

interface FormatRecord extends EngineSettings {
  format: string;
  version: number;
  createdAt: string;
}

/**
 * A store's settings, fixed at creation: read from its FORMAT file, or
 * written there (from `requested`) when the store is new.
 */
export async function loadOrCreateFormat(dir: string, requested: Partial<EngineSettings>): Promise<EngineSettings> {
  const path = formatFile(dir);
  let text: string | undefined;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (text !== undefined) return parseFormat(text, path);
  const chunker: ChunkerOptions = { ...DEFAULT_CHUNKER_OPTIONS, ...requested.chunker };
  validateChunkerOptions(chunker);
  const zstdLevel = requested.zstdLevel ?? DEFAULT_ZSTD_LEVEL;
  if (!Number.isInteger(zstdLevel) || zstdLevel < -7 || zstdLevel > 22) {
    throw new StrataError('InvalidArgument', `invalid zstd level ${zstdLevel}`);
  }
  const settings: EngineSettings = {
    chunker,
    zstdLevel,
    inlineMaxBytes: requested.inlineMaxBytes ?? DEFAULT_INLINE_MAX_BYTES,
  };
  const record: FormatRecord = { format: FORMAT_NAME, version: FORMAT_VERSION, createdAt: new Date().toISOString(), ...settings };
  await writeFile(`${path}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
  return settings;
}

function parseFormat(text: string, path: string): EngineSettings {
  let record: Partial<FormatRecord>;
  try {
    record = JSON.parse(text) as Partial<FormatRecord>;
  } catch (error) {
    throw new StrataError('DataLoss', `${path} is not valid JSON`, { cause: error });
  }
  if (record.format !== FORMAT_NAME) throw new StrataError('FailedPrecondition', `${path} is not a strata CAS store`);
  if (record.version !== FORMAT_VERSION) {
    throw new StrataError('FailedPrecondition', `store format version ${record.version} is not supported (this strata reads ${FORMAT_VERSION})`);
  }
  if (!record.chunker || record.zstdLevel === undefined || record.inlineMaxBytes === undefined) {
    throw new StrataError('DataLoss', `${path} lacks settings`);
  }
  validateChunkerOptions(record.chunker);
  return { chunker: record.chunker, zstdLevel: record.zstdLevel, inlineMaxBytes: record.inlineMaxBytes };
}
