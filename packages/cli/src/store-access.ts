import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { ContentStore, Engine, StoreAdmin } from '@strata/cas';
import { StrataError } from '@strata/errors';
import { connectCas, withCasTlsOptions, type CasClientOptions } from './cas-connection.ts';

export const DEFAULT_DATA_DIR = './strata-data';

/**
 * A data directory holds one subdirectory per component:
 *
 *   <data>/
 *   ├── cas/       the storage engine (@strata/cas layout)
 *   └── gateway/   the registry's own metadata
 */
export function engineDir(dataDir: string): string {
  return join(resolve(dataDir), 'cas');
}

export interface DataOptions {
  data: string;
}

/** Adds `--data DIR` to a command that opens the engine in-process. */
export function withDataOption(command: Command): Command {
  return command.option('--data <dir>', 'data directory', DEFAULT_DATA_DIR);
}

/**
 * How a command uses the store: `write` creates it when missing and
 * compresses on every core; `read` needs an existing store (NotFound
 * otherwise, rather than an empty store made just to be read) and starts no
 * compression threads; `update` needs an existing store and compresses on
 * every core.
 */
export type StoreMode = 'read' | 'write' | 'update';

/** Opens the engine of a data directory, runs `work` on it, and closes it. `metadata` reaches its index in PostgreSQL. */
export async function withStore<T>(
  dataDir: string,
  mode: StoreMode,
  work: (engine: Engine) => Promise<T>,
  metadata?: string,
  engineOptions: { expandMaxBytes?: number; expandMaxPlainBytes?: number } = {},
): Promise<T> {
  const dir = engineDir(dataDir);
  if (mode !== 'write' && !(await isDirectory(dir))) {
    throw new StrataError('NotFound', `no strata store in ${dataDir} (${dir} does not exist)`, {
      details: { dataDir },
    });
  }
  // The engine (native modules, worker pool) is loaded on first use: --help and --version stay instant.
  const { openStore } = await import('@strata/cas');
  const index = metadata === undefined ? undefined : await indexUrlFor(dir, metadata);
  const engine = await openStore(dir, { ...(mode === 'read' ? { compressThreads: 0 } : {}), ...(index !== undefined ? { index } : {}), ...engineOptions });
  let result: T;
  try {
    result = await work(engine);
  } catch (error) {
    await engine.close().catch(() => {});
    throw error;
  }
  await engine.close();
  return result;
}

/**
 * The index URL for the store in `dir`: in the schema the directory
 * recorded (for `strata serve --metadata`, NAME_cas beside the registry's
 * schema), whatever schema the URL names.
 */
async function indexUrlFor(dir: string, metadata: string): Promise<string> {
  const { parseIndexUrl, storeIndexKind, withIndexSchema } = await import('@strata/cas');
  parseIndexUrl(metadata);
  const found = await storeIndexKind(dir);
  return found?.kind === 'postgresql' ? withIndexSchema(metadata, found.schema) : metadata;
}

/** Adds `--metadata URL` (or STRATA_METADATA): the engine index of a data directory kept in PostgreSQL. */
export function withIndexOption(command: Command): Command {
  return command.addOption(
    new Option(
      '--metadata <url>',
      'the store keeps its index in PostgreSQL (postgresql://USER:PASSWORD@HOST:PORT/DB), as given to `strata serve` or `strata cas`; the schema recorded in the data directory is used',
    ).env('STRATA_METADATA'),
  );
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

export interface StoreOptions extends DataOptions, CasClientOptions {
  /** Where the engine's index is when it is in PostgreSQL. */
  metadata?: string;
}

/** Adds `--data DIR` and its alternative `--cas HOST:PORT` to a command that uses a store. */
export function withStoreOptions(command: Command): Command {
  return withCasTlsOptions(withDataOption(command).option('--cas <host:port>', 'use a `strata cas` server instead of a data directory'));
}

/** A store reached either way: the engine in-process (`engine` set) or a `strata cas` server. */
export type AnyStore = ContentStore & StoreAdmin;

/**
 * Runs `work` on the store `--data` or `--cas` names, then closes it.
 * Naming both is a usage error.
 */
export async function withAnyStore<T>(
  command: Command,
  options: StoreOptions,
  mode: StoreMode,
  work: (store: AnyStore, engine: Engine | undefined) => Promise<T>,
): Promise<T> {
  if (options.cas === undefined) return withStore(options.data, mode, (engine) => work(engine, engine), options.metadata);
  if (command.getOptionValueSource('data') !== 'default') {
    command.error('give either --data or --cas, not both', { exitCode: 2, code: 'strata.usage' });
  }
  const store = await connectCas(command, { ...options, cas: options.cas });
  try {
    return await work(store, undefined);
  } finally {
    await store.close();
  }
}
