import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { startDaemon, waitForLog, type Daemon } from './processes.ts';
import type { Workspace } from './workspace.ts';

/** The `strata` command of this checkout, run by the Node that runs the tests. */
export const STRATA_BIN = join(import.meta.dirname, '..', '..', '..', '..', 'cli', 'bin', 'strata.js');

/** A `strata serve` process of a test, and where it serves. */
export interface GatewayDaemon {
  daemon: Daemon;
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `127.0.0.1:PORT`, the registry part of image references */
  host: string;
}

/** `strata cas` over a data directory of its own in `space`; resolves to the address it listens on. */
export async function startCasDaemon(t: ExecutionContext, space: Workspace): Promise<string> {
  const cas = await startDaemon(t, process.execPath, [STRATA_BIN, 'cas', '--data', await space.dir('cas'), '--listen', '127.0.0.1:0'], {
    logFile: space.path('cas.log'),
  });
  return waitForLog(cas, /listening on (\S+)/);
}

/**
 * `strata serve --cas CAS ARGS` named `name`, with a data directory and a
 * log of its own in `space`; the tail of its log shows when the test fails.
 */
export async function startGatewayDaemon(
  t: ExecutionContext,
  space: Workspace,
  name: string,
  cas: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<GatewayDaemon> {
  const command = [STRATA_BIN, 'serve', '--data', await space.dir(name), '--cas', cas, '--listen', '127.0.0.1:0', ...args];
  const daemon = await startDaemon(t, process.execPath, command, { logFile: space.path(`${name}.log`), env });
  const url = await waitForLog(daemon, /strata: serving (http:\/\/\S+)/);
  t.teardown(async () => {
    if (!t.passed) t.log(`${name} log (tail):\n${(await daemon.log()).slice(-3000)}`);
  });
  return { daemon, url, host: new URL(url).host };
}
