import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP load balancer on a loopback port: each new connection goes to the
 * next backend in turn, as a round-robin balancer in front of several
 * gateways would send it. A client that opens several connections (every
 * registry client does) spreads one push or pull over all the gateways, so
 * an upload started on one is continued on another.
 */
export class RoundRobinBalancer {
  readonly host: string;
  /** Connections sent to each backend, by index. */
  readonly connections: number[];
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();

  private constructor(server: Server, host: string, backends: number) {
    this.#server = server;
    this.host = host;
    this.connections = new Array<number>(backends).fill(0);
  }

  static async start(backends: readonly string[]): Promise<RoundRobinBalancer> {
    let next = 0;
    let balancer: RoundRobinBalancer | undefined;
    const server = createServer((client) => {
      const index = next++ % backends.length;
      balancer!.connections[index]!++;
      const [host, port] = splitHostPort(backends[index]!);
      const upstream = createConnection({ host, port });
      balancer!.#track(client);
      balancer!.#track(upstream);
      client.pipe(upstream);
      upstream.pipe(client);
      // A reset on either side ends the other: the client sees the connection drop, as it would behind a real balancer.
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('balancer has no TCP address');
    balancer = new RoundRobinBalancer(server, `127.0.0.1:${address.port}`, backends.length);
    return balancer;
  }

  #track(socket: Socket): void {
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }
}

function splitHostPort(address: string): [string, number] {
  const colon = address.lastIndexOf(':');
  return [address.slice(0, colon).replace(/^\[|\]$/g, ''), Number(address.slice(colon + 1))];
}
