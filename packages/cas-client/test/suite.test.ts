import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runContentStoreSuite } from '@strata/cas-testsuite';
import { connectContentStore } from '../src/index.ts';
import { startCas } from './support.ts';

// The client against a real `strata cas` process over a loopback socket:
// the remote store must be indistinguishable from the engine.
runContentStoreSuite(
  test,
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-grpc-suite-'));
    const server = await startCas(dir);
    const store = connectContentStore(server.address);
    return {
      store,
      admin: store,
      cleanup: async () => {
        await store.close();
        await server.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
  { name: 'cas-client over loopback' },
);
