/**
 * `npm run bench -- grpc`: what the gRPC edge costs. One blob is written and
 * read through the in-process engine, then written and read through
 * cas-client talking to `serveContentStore` over loopback, in this process
 * (a second store of its own, so both writes store the blob for the first
 * time).
 */
import { createCipheriv } from 'node:crypto';
import type { Command } from 'commander';
import { openStore, serveContentStore, writeBlob, type ContentStore } from '@strata/cas';
import { connectContentStore } from '@strata/cas-client';
import { MB, megabytesPerSecond, timed } from '../measure.ts';
import { machineInfo, markdownTable, round, strataVersion } from '../report.ts';
import type { Suite, SuiteContext, SuiteReport } from '../suite.ts';

const MiB = 1024 * 1024;

/** Incompressible, reproducible bytes: AES-CTR over zeros with a fixed key. */
function* blobPieces(size: number): Generator<Buffer> {
  const cipher = createCipheriv('aes-256-ctr', Buffer.alloc(32, 7), Buffer.alloc(16, 0));
  const zeros = Buffer.alloc(MiB);
  for (let done = 0; done < size; done += MiB) yield cipher.update(zeros.subarray(0, Math.min(MiB, size - done)));
}

async function readThrough(store: ContentStore, digest: string): Promise<number> {
  const read = await store.read(digest);
  let bytes = 0;
  for await (const piece of read.body as AsyncIterable<Buffer>) bytes += piece.byteLength;
  return bytes;
}

interface Row {
  path: string;
  writeMBps: number;
  readMBps: number;
}

export const grpcSuite: Suite = {
  name: 'grpc',
  description: 'read and write MB/s of one blob through gRPC over loopback vs the in-process engine',
  define(command: Command) {
    command.option('--size-mib <n>', 'blob size in MiB', '1024').option('--quick', 'a 64 MiB blob (a smoke test)');
  },
  async run(_paths: string[], options: Record<string, unknown>, context: SuiteContext): Promise<SuiteReport> {
    const size = (options.quick === true ? 64 : Number(options['sizeMib'])) * MiB;
    const rows: Row[] = [];
    context.progress.begin(2);

    context.progress.step('in-process');
    const local = await openStore(await context.scratch.dir('grpc-local'));
    let digest: string;
    try {
      const write = await timed(() => writeBlob(local, blobPieces(size), { size }));
      digest = write.value.digest;
      context.signal.throwIfAborted();
      const read = await timed(() => readThrough(local, digest));
      rows.push({ path: 'in-process', writeMBps: megabytesPerSecond(size, write.seconds), readMBps: megabytesPerSecond(read.value, read.seconds) });
    } finally {
      await local.close();
    }

    context.progress.step('gRPC over loopback');
    const served = await openStore(await context.scratch.dir('grpc-served'));
    const server = await serveContentStore(served, { listen: '127.0.0.1:0' });
    const remote = connectContentStore(`127.0.0.1:${server.port}`);
    try {
      const write = await timed(() => writeBlob(remote, blobPieces(size), { size, digest }));
      context.signal.throwIfAborted();
      const read = await timed(() => readThrough(remote, digest));
      rows.push({ path: 'gRPC (cas-client → strata cas, loopback)', writeMBps: megabytesPerSecond(size, write.seconds), readMBps: megabytesPerSecond(read.value, read.seconds) });
    } finally {
      await remote.close();
      await server.shutdown(1000);
      await served.close();
    }
    context.progress.end();

    const [inProcess, grpc] = rows as [Row, Row];
    const readRatio = grpc.readMBps / inProcess.readMBps;
    const writeRatio = grpc.writeMBps / inProcess.writeMBps;
    const table = markdownTable(
      ['path', 'write MB/s', 'read MB/s'],
      [
        ...rows.map((row) => [row.path, round(row.writeMBps), round(row.readMBps)]),
        ['gRPC / in-process', round(writeRatio), round(readRatio)],
      ],
    );
    const header = `${(size / MiB).toFixed(0)} MiB blob (${(size / MB).toFixed(0)} MB), one run`;
    return {
      json: {
        suite: 'grpc',
        strata: await strataVersion(),
        machine: machineInfo(),
        blobBytes: size,
        results: rows,
        ratios: { read: readRatio, write: writeRatio },
      },
      markdown: `# gRPC vs in-process\n\n${header}\n\n${table}\n`,
      summary: `${header}\n\n${table}`,
    };
  },
};
