/**
 * Which index a store uses: LMDB in the data directory (the default), or
 * PostgreSQL. A data directory and an index in PostgreSQL know each other
 * by a store id, recorded in `<dir>/INDEX` and in the index's state row, so
 * neither is ever paired with another's by mistake (a pairing that would
 * silently show an empty or foreign store, or replay one store's packs
 * into another's index).
 */
import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { StrataError } from '@strata/errors';
import { LmdbIndex, type EngineIndex } from './index-db.ts';
import { indexDir } from './layout.ts';
import type { PackStore } from './pack-store.ts';
import { PgEngineIndex } from './pg-index.ts';
import { parseIndexUrl, redactIndexUrl } from './pg-index-url.ts';
import { readRecordFile, writeRecordFile } from './record-file.ts';

/** `<dir>/INDEX`: present when the store's index is in PostgreSQL. */
export function indexLocationFile(dir: string): string {
  return join(dir, 'INDEX');
}

interface IndexRecord {
  kind: 'postgresql';
  storeId: string;
  /** The schema it was created in: named in messages when another one is opened. */
  schema: string;
}

function readIndexRecord(dir: string): Promise<IndexRecord | undefined> {
  const isRecord = (record: Partial<IndexRecord>) => record.kind === 'postgresql' && typeof record.storeId === 'string' && typeof record.schema === 'string';
  return readRecordFile<IndexRecord>(indexLocationFile(dir), isRecord, 'a strata index record');
}

/** Where the store in `dir` keeps its index, or undefined when `dir` holds no store yet. */
export async function storeIndexKind(dir: string): Promise<{ kind: 'postgresql'; schema: string } | { kind: 'lmdb' } | undefined> {
  const record = await readIndexRecord(dir);
  if (record) return { kind: 'postgresql', schema: record.schema };
  try {
    await stat(indexDir(dir));
    return { kind: 'lmdb' };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function writeIndexRecord(dir: string, record: IndexRecord): Promise<void> {
  return writeRecordFile(indexLocationFile(dir), record);
}

/**
 * Opens the index of the store in `dir`: LMDB there without `setting`, or
 * the PostgreSQL index a `postgresql://…[?schema=NAME]` URL names.
 * FailedPrecondition when the directory and the index belong to different
 * stores, or when the index is owned by another engine.
 */
export async function openIndex(dir: string, setting: string | undefined, packs: PackStore): Promise<EngineIndex> {
  const record = await readIndexRecord(dir);
  if (setting === undefined) {
    if (record) {
      throw new StrataError('FailedPrecondition', `the store in ${dir} keeps its index in PostgreSQL (schema ${record.schema}); open it with that index (--metadata postgresql://…)`, {
        details: { storeId: record.storeId, schema: record.schema },
      });
    }
    return LmdbIndex.open(indexDir(dir));
  }
  const location = parseIndexUrl(setting);
  const index = await PgEngineIndex.open(location);
  try {
    const claimed = await index.storeId();
    const where = `the index in ${redactIndexUrl(location.url)} schema ${location.schema}`;
    if (record && claimed !== undefined && claimed !== record.storeId) {
      throw new StrataError('FailedPrecondition', `${where} belongs to store ${claimed}, but ${dir} is store ${record.storeId} (index schema ${record.schema})`, {
        details: { storeId: record.storeId, indexStoreId: claimed },
      });
    }
    if (!record && claimed !== undefined) {
      throw new StrataError('FailedPrecondition', `${where} belongs to store ${claimed}, another data directory than ${dir}`, { details: { indexStoreId: claimed } });
    }
    if (claimed === undefined) {
      // An unclaimed index is only ever paired with a store that holds nothing yet (or whose creation stopped before the claim).
      if ((await packs.list()).length > 0) {
        throw new StrataError(
          'FailedPrecondition',
          record
            ? `${where} is empty, but ${dir} is store ${record.storeId} whose index was in schema ${record.schema}`
            : `${dir} holds a store indexed in its own directory (LMDB); ${where} is empty and cannot take it over`,
          { details: { schema: location.schema } },
        );
      }
      const storeId = record?.storeId ?? randomUUID();
      // The directory first: a crash before the claim leaves a record the next open completes.
      if (!record) await writeIndexRecord(dir, { kind: 'postgresql', storeId, schema: location.schema });
      if (!(await index.claim(storeId))) throw new StrataError('FailedPrecondition', `${where} was claimed by another store meanwhile`);
    }
    return index;
  } catch (error) {
    await index.close().catch(() => {});
    throw error;
  }
}
