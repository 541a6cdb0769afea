/**
 * A TCP proxy on 127.0.0.1 that counts the bytes going each way: what a
 * client moved over the wire, whatever the protocol (HTTP/1.1 to a
 * registry, HTTP/2 to `strata cas`).
 */
import { createConnection, createServer, type Socket } from 'node:net';

export interface CountingProxy {
  readonly host: string;
  readonly port: number;
  /** Bytes from the server to the client, and from the client to the server, since the last reset. */
  counts(): { down: number; up: number };
  reset(): void;
  close(): Promise<void>;
}

export async function startCountingProxy(target: { host: string; port: number }): Promise<CountingProxy> {
  let down = 0;
  let up = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection(target);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (piece: Buffer) => (up += piece.byteLength));
    upstream.on('data', (piece: Buffer) => (down += piece.byteLength));
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('proxy has no address');
  return {
    host: '127.0.0.1',
    port: address.port,
    counts: () => ({ down, up }),
    reset() {
      down = 0;
      up = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
