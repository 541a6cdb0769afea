import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type EngineOptions } from '@strata/cas';
import type { StoreFactory } from '@strata/cas-testsuite';

/**
 * A fresh engine in its own temp dir, removed with it. `options` may be a
 * function, for settings each store needs its own of (an index schema, a
 * pack prefix).
 */
export function engineFactory(options: EngineOptions | (() => EngineOptions) = {}): StoreFactory {
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-engine-suite-'));
    const store = await openStore(dir, typeof options === 'function' ? options() : options);
    return {
      store,
      admin: store,
      cleanup: async () => {
        await store.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  };
}
