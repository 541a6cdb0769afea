import type { Readable } from 'node:stream';
import type { ExecutionContext } from 'ava';
import type { BlobIngester, BlobStat, CommitResult, ContentStore, Expected, StoreAdmin } from '@strata/cas';
import { errorCode } from '@strata/errors';
import type { SeededBytes } from './seeded-bytes.ts';

export const KiB = 1024;
export const MiB = 1024 * KiB;

/** What a factory hands each test: a fresh store, and how to dispose of it. */
export interface StoreHarness {
  store: ContentStore;
  /** The admin role, when the implementation plays it; the admin cases check it. */
  admin?: StoreAdmin;
  /** Closes the store and removes everything it left behind. Called even when the test fails. */
  cleanup(): Promise<void>;
}

/** Makes a fresh, empty store for one test. */
export type StoreFactory = () => Promise<StoreHarness>;

export interface SuiteOptions {
  /** Prefix of every test title, so one file can run the suite against several stores. */
  name?: string;
  /** Size of the streamed large-blob write; 256 MiB by default. */
  largeBlobBytes?: number;
  /**
   * How far the process RSS may rise over its starting value while the large
   * blob streams in and out; 200 MiB by default. A store that keeps content
   * in memory by design needs the blob's size on top.
   */
  largeBlobRssHeadroomBytes?: number;
}

export type ResolvedSuiteOptions = Required<SuiteOptions>;

/** One conformance case; `serial` cases run alone, for figures like RSS that neighbours would disturb. */
export interface SuiteCase {
  title: string;
  serial?: boolean;
  run(t: ExecutionContext, harness: StoreHarness, options: ResolvedSuiteOptions): Promise<void>;
}

/**
 * Asserts that `action` fails (by throwing or rejecting) with an error the
 * guard accepts. Takes a thunk so that a synchronous throw counts too.
 */
export async function rejects(
  t: ExecutionContext,
  action: () => unknown,
  guard: (error: unknown) => boolean,
  what: string,
): Promise<unknown> {
  let failure: { error: unknown } | undefined;
  try {
    await action();
  } catch (error) {
    failure = { error };
  }
  if (failure === undefined) return t.fail(`${what}: succeeded, expected an error`);
  t.true(guard(failure.error), `${what}: failed with ${errorCode(failure.error)} (${String(failure.error)})`);
  return failure.error;
}

/** All bytes of a stream. */
export async function collect(body: Readable): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for await (const piece of body) pieces.push(Buffer.from(piece as Uint8Array));
  return Buffer.concat(pieces);
}

/** Every item of an async iterable. */
export async function drain<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/** The whole content of a blob, through `read`. */
export async function readAll(store: ContentStore, digest: string): Promise<Buffer> {
  return collect((await store.read(digest)).body);
}

/** Writes `bytes` in one piece under `ref` and commits against `expected`. */
export async function put(
  store: BlobIngester,
  bytes: Uint8Array,
  ref: string,
  expected: Expected = {},
): Promise<CommitResult> {
  const writer = await store.writer(ref);
  await writer.write(bytes);
  return writer.commit(expected);
}

/**
 * Writes `bytes` in pieces of random sizes up to `maxPiece`, proving the
 * offset with `at` on every other write, and commits.
 */
export async function putInPieces(
  store: BlobIngester,
  bytes: Uint8Array,
  ref: string,
  random: SeededBytes,
  maxPiece: number,
  expected: Expected = {},
): Promise<CommitResult> {
  const writer = await store.writer(ref, { expected: { size: bytes.byteLength } });
  for (let offset = 0, turn = 0; offset < bytes.byteLength; turn++) {
    const end = Math.min(bytes.byteLength, offset + random.between(1, maxPiece));
    await writer.write(bytes.subarray(offset, end), turn % 2 === 0 ? offset : undefined);
    offset = end;
  }
  return writer.commit(expected);
}

/** What `list` yields, in the order it yields it. */
export async function listed(store: ContentStore): Promise<BlobStat[]> {
  return drain(store.list());
}

/** Tracks the peak resident set size against a starting value. */
export class RssWatch {
  readonly start = process.memoryUsage.rss();
  #peak = this.start;

  sample(): void {
    this.#peak = Math.max(this.#peak, process.memoryUsage.rss());
  }

  /** How far RSS rose over its start at its highest. */
  get rise(): number {
    return this.#peak - this.start;
  }
}

/**
 * Asserts two byte arrays are equal, cheaply even for many MiB (a deep
 * equality walks them value by value), naming the first differing offset.
 */
export function sameBytes(t: ExecutionContext, actual: Uint8Array, expected: Uint8Array, what = 'bytes'): void {
  t.is(actual.byteLength, expected.byteLength, `${what}: length`);
  const a = Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength);
  const b = Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength);
  if (a.equals(b)) {
    t.pass();
    return;
  }
  let offset = 0;
  while (a[offset] === b[offset]) offset++;
  t.fail(`${what}: first difference at offset ${offset}`);
}
