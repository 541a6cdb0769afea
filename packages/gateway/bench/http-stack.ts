/**
 * Streams a large body over loopback through each candidate HTTP server and
 * reports throughput and the server's CPU time, so the gateway's HTTP stack
 * is chosen on numbers. The client is undici in this process; each server
 * runs in a child process that reports its own CPU usage.
 *
 *   npx --no-install node packages/gateway/bench/http-stack.ts [--mib 1024] [--rounds 3]
 */
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

const PIECE = Buffer.alloc(256 * 1024, 0x5a);

type Stack = 'node-http' | 'fastify';

/** A body of `bytes` bytes produced piece by piece, never held whole. */
function bodyOf(bytes: number): Readable {
  let left = bytes;
  return new Readable({
    highWaterMark: PIECE.length,
    read() {
      if (left <= 0) return void this.push(null);
      const piece = left >= PIECE.length ? PIECE : PIECE.subarray(0, left);
      left -= piece.length;
      this.push(piece);
    },
  });
}

function sink(): Writable & { bytes: number } {
  const counter = new Writable({
    write(chunk: Buffer, _encoding, done) {
      counter.bytes += chunk.length;
      done();
    },
  }) as Writable & { bytes: number };
  counter.bytes = 0;
  return counter;
}

async function serve(stack: Stack, bytes: number): Promise<{ port: number; close(): Promise<void> }> {
  if (stack === 'node-http') {
    const server = createServer((req, res) => {
      if (req.method === 'GET') {
        res.writeHead(200, { 'content-length': bytes, 'content-type': 'application/octet-stream' });
        pipeline(bodyOf(bytes), res).catch(() => {});
      } else {
        const counter = sink();
        pipeline(req, counter).then(
          () => res.writeHead(201, { 'x-bytes': counter.bytes }).end(),
          () => res.destroy(),
        );
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (typeof address !== 'object' || address === null) throw new Error('no address');
    return { port: address.port, close: () => new Promise((resolve) => server.close(() => resolve())) };
  }
  const { default: fastify } = await import('fastify');
  const app = fastify({ logger: false, bodyLimit: Number.MAX_SAFE_INTEGER });
  // Leave the request stream unread so the handler can stream it.
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));
  app.get('/blob', (_request, reply) => {
    reply.header('content-length', bytes).type('application/octet-stream').send(bodyOf(bytes));
  });
  app.put('/blob', async (request, reply) => {
    const counter = sink();
    await pipeline(request.raw, counter);
    reply.code(201).header('x-bytes', counter.bytes).send();
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no address');
  return { port: address.port, close: () => app.close() };
}

interface Measurement {
  stack: Stack;
  direction: 'GET' | 'PUT';
  mibPerSecond: number;
  serverCpuSeconds: number;
}

async function measure(stack: Stack, bytes: number, rounds: number): Promise<Measurement[]> {
  const child = fork(fileURLToPath(import.meta.url), ['--server', stack, '--bytes', String(bytes)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve) => child.once('message', (m) => resolve((m as { port: number }).port)));
  const cpu = () =>
    new Promise<number>((resolve) => {
      child.once('message', (m) => resolve((m as { cpu: number }).cpu));
      child.send('cpu');
    });
  const { request } = await import('undici');
  const url = `http://127.0.0.1:${port}/blob`;
  const results: Measurement[] = [];
  for (const direction of ['GET', 'PUT'] as const) {
    let bestRate = 0;
    let cpuAtBest = 0;
    for (let round = 0; round < rounds; round++) {
      const cpuBefore = await cpu();
      const started = process.hrtime.bigint();
      if (direction === 'GET') {
        const response = await request(url);
        const counter = sink();
        await pipeline(response.body, counter);
        if (counter.bytes !== bytes) throw new Error(`GET returned ${counter.bytes} bytes`);
      } else {
        const response = await request(url, {
          method: 'PUT',
          body: bodyOf(bytes),
          headers: { 'content-length': String(bytes), 'content-type': 'application/octet-stream' },
        });
        await response.body.dump();
        if (Number(response.headers['x-bytes']) !== bytes) throw new Error('PUT lost bytes');
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const cpuSeconds = (await cpu()) - cpuBefore;
      const rate = bytes / (1024 * 1024) / seconds;
      if (rate > bestRate) {
        bestRate = rate;
        cpuAtBest = cpuSeconds;
      }
    }
    results.push({ stack, direction, mibPerSecond: Math.round(bestRate), serverCpuSeconds: Number(cpuAtBest.toFixed(2)) });
  }
  child.kill('SIGTERM');
  return results;
}

async function serverMain(stack: Stack, bytes: number): Promise<void> {
  const server = await serve(stack, bytes);
  process.on('message', (message) => {
    if (message === 'cpu') {
      const usage = process.cpuUsage();
      process.send!({ cpu: (usage.user + usage.system) / 1e6 });
    }
  });
  process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
  process.send!({ port: server.port });
}

const { values } = parseArgs({
  options: {
    server: { type: 'string' },
    bytes: { type: 'string' },
    mib: { type: 'string', default: '1024' },
    rounds: { type: 'string', default: '3' },
  },
});

if (values.server) {
  await serverMain(values.server as Stack, Number(values.bytes));
} else {
  const bytes = Number(values.mib) * 1024 * 1024;
  const rows: Measurement[] = [];
  for (const stack of ['node-http', 'fastify'] as const) rows.push(...(await measure(stack, bytes, Number(values.rounds))));
  console.log(`| stack | direction | MiB/s (best of ${values.rounds}) | server CPU s |`);
  console.log('|---|---|---|---|');
  for (const row of rows) console.log(`| ${row.stack} | ${row.direction} | ${row.mibPerSecond} | ${row.serverCpuSeconds} |`);
  console.log(`\n${values.mib} MiB body, node ${process.version}, undici client, loopback.`);
}
