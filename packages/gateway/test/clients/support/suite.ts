import test, { type ExecutionContext } from 'ava';
import { SERVER_SETUPS, type StrataServer } from './strata-server.ts';
import { workspace, type Workspace } from './workspace.ts';

export interface ClientCase {
  server: StrataServer;
  workspace: Workspace;
}

/**
 * Declares one end-to-end case for every registry setup (strata serve
 * embedded, and each other way of running it), titled `SETUP: title`. Each
 * run gets a fresh workspace and a fresh registry; a failing run logs the
 * tail of the registry's log.
 */
export function forEachServer(title: string, body: (t: ExecutionContext, context: ClientCase) => Promise<void>): void {
  for (const setup of SERVER_SETUPS) {
    test(`${setup.name}: ${title}`, async (t) => {
      const started = Date.now();
      const space = await workspace(t);
      const server = await setup.start(t, space);
      t.teardown(async () => {
        if (!t.passed) t.log(`registry log (tail):\n${(await server.log()).slice(-4000)}`);
      });
      await body(t, { server, workspace: space });
      t.log(`took ${((Date.now() - started) / 1000).toFixed(1)} s`);
    });
  }
}
