import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access, copyFile, link, lstat, mkdir, open, readdir, realpath, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { StrataError } from '@strata/errors';

export interface InputFile {
  path: string;
  size: number;
}

/** The bytes a benchmark feeds every tool, and how they were chosen. */
export interface Input {
  description: string;
  files: InputFile[];
  totalBytes: number;
}

/** Files larger than this are left out of samples, so one big file cannot dominate. */
const SAMPLE_MAX_FILE_BYTES = 64 * 1024 * 1024;

/**
 * The given files, and every regular file under the given directories
 * (symbolic links are not followed inside directories). A file named twice
 * is taken once; the order is by path, so runs are repeatable.
 */
export async function collectInput(paths: readonly string[]): Promise<Input> {
  const found = new Map<string, number>();
  const visit = async (path: string, named: boolean): Promise<void> => {
    const info = named ? await stat(path) : await lstat(path);
    if (info.isDirectory()) {
      for (const name of (await readdir(path)).sort()) await visit(join(path, name), false);
    } else if (info.isFile()) {
      found.set(await realpath(path), info.size);
    }
  };
  for (const path of paths) {
    try {
      await visit(path, true);
    } catch (error) {
      throw new StrataError('NotFound', `cannot read input ${path}: ${(error as Error).message}`, { cause: error });
    }
  }
  const files = [...found].map(([path, size]) => ({ path, size })).sort((a, b) => (a.path < b.path ? -1 : 1));
  if (files.length === 0) throw new StrataError('InvalidArgument', `no regular files under ${paths.join(', ')}`);
  return { description: `given: ${paths.join(', ')}`, files, totalBytes: sum(files) };
}

/**
 * A deterministic sample of real files under `roots` of about `targetBytes`:
 * readable, non-empty regular files up to 64 MiB, taken in the order of the
 * SHA-256 of their paths until the target is reached. Hash order mixes
 * binaries, libraries, text and compressed files the way the tree holds them,
 * and the same machine always yields the same sample.
 */
export async function sampleInput(roots: readonly string[], targetBytes: number, signal?: AbortSignal): Promise<Input> {
  const candidates: (InputFile & { key: string })[] = [];
  const visit = async (dir: string): Promise<void> => {
    signal?.throwIfAborted();
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(dir, name);
      const info = await lstat(path).catch(() => undefined);
      if (!info) continue;
      if (info.isDirectory()) await visit(path);
      else if (info.isFile() && info.size > 0 && info.size <= SAMPLE_MAX_FILE_BYTES) {
        candidates.push({ path, size: info.size, key: createHash('sha256').update(path).digest('hex') });
      }
    }
  };
  for (const root of roots) await visit(root);
  candidates.sort((a, b) => (a.key < b.key ? -1 : 1));
  const files: InputFile[] = [];
  let total = 0;
  for (const candidate of candidates) {
    if (total >= targetBytes) break;
    const readable = await access(candidate.path, constants.R_OK).then(
      () => true,
      () => false,
    );
    if (!readable) continue;
    files.push({ path: candidate.path, size: candidate.size });
    total += candidate.size;
  }
  if (files.length === 0) throw new StrataError('NotFound', `no readable files under ${roots.join(', ')}`);
  files.sort((a, b) => (a.path < b.path ? -1 : 1));
  const mib = Math.round(targetBytes / 1024 / 1024);
  return { description: `~${mib} MiB sample of the files under ${roots.join(', ')}, in SHA-256-of-path order`, files, totalBytes: total };
}

/**
 * Reads every input file once, so all tools start from the same warm page
 * cache instead of the first one paying for the disk.
 */
export async function warmPageCache(input: Input, signal?: AbortSignal): Promise<void> {
  for await (const _ of readPieces(input, 4 * 1024 * 1024, signal)) {
    // Reading is the point.
  }
}

/**
 * Puts the input files into one directory tree, as hard links where the file
 * system allows (copies otherwise), and returns the input as staged: every
 * tool then reads the same inodes, and a file that a package manager replaces
 * while the benchmark runs keeps its old bytes here. Names keep the input
 * order and stay unique.
 */
export async function stageInput(input: Input, dir: string, signal?: AbortSignal): Promise<Input> {
  await mkdir(dir, { recursive: true });
  const width = String(input.files.length).length;
  const files: InputFile[] = [];
  for (const [at, file] of input.files.entries()) {
    signal?.throwIfAborted();
    const target = join(dir, `${String(at).padStart(width, '0')}-${basename(file.path)}`);
    await link(file.path, target).catch(() => copyFile(file.path, target));
    files.push({ path: target, size: (await stat(target)).size });
  }
  return { description: input.description, files, totalBytes: sum(files) };
}

/** Each file of the input read through in pieces of at most `pieceBytes`, with the file it belongs to. */
export async function* readPieces(
  input: Input,
  pieceBytes: number,
  signal?: AbortSignal,
): AsyncGenerator<{ file: InputFile; piece: Buffer; last: boolean }> {
  for (const file of input.files) {
    signal?.throwIfAborted();
    const handle = await open(file.path, 'r');
    try {
      let offset = 0;
      for (;;) {
        const buffer = Buffer.allocUnsafe(pieceBytes);
        const { bytesRead } = await handle.read(buffer, 0, pieceBytes, offset);
        offset += bytesRead;
        const last = bytesRead < pieceBytes;
        if (bytesRead > 0 || last) yield { file, piece: buffer.subarray(0, bytesRead), last };
        if (last) break;
      }
    } finally {
      await handle.close();
    }
  }
}

function sum(files: readonly InputFile[]): number {
  return files.reduce((total, file) => total + file.size, 0);
}
