import { readFile, rename, writeFile } from 'node:fs/promises';
import { StrataError } from '@strata/errors';

/**
 * Small JSON records a data directory keeps beside the store (where its
 * packs and its index live). Undefined when the file is absent; DataLoss
 * when it is there but not a `what`.
 */
export async function readRecordFile<T>(path: string, isRecord: (value: Partial<T>) => boolean, what: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let record: Partial<T>;
  try {
    record = JSON.parse(text) as Partial<T>;
  } catch (error) {
    throw new StrataError('DataLoss', `${path} is not valid JSON`, { cause: error });
  }
  if (record === null || typeof record !== 'object' || !isRecord(record)) throw new StrataError('DataLoss', `${path} is not ${what}`);
  return record as T;
}

/** Replaces a record whole: written beside it, then renamed over it. */
export async function writeRecordFile(path: string, record: object): Promise<void> {
  await writeFile(`${path}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
}
