import test from 'ava';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectContentStore } from '../src/index.ts';
import { BlockBytes, MiB, rssBytes, startCas, tempDir } from './support.ts';

test.serial('a slow reader of a 1 GiB blob holds the server back instead of growing its memory', async (t) => {
  const dir = await tempDir(t);
  const server = await startCas(join(dir, 'data'));
  t.teardown(() => server.stop());
  const store = connectContentStore(server.address);
  t.teardown(() => store.close());

  const size = 1024 * MiB;
  const content = new BlockBytes(randomBytes(MiB));
  const writer = await store.writer('one-gib', { expected: { size } });
  for (const piece of content.range(0, size)) await writer.write(piece);
  const { digest } = await writer.commit();

  const before = await rssBytes(server.pid);
  const read = await store.read(digest);
  const body = read.body[Symbol.asyncIterator]();
  let received = 0;
  // A trickle: a few pieces, then long pauses, sampling the server's memory meanwhile.
  let peak = before;
  for (let round = 0; round < 6; round++) {
    for (let i = 0; i < 4; i++) {
      const next = await body.next();
      received += (next.value as Buffer).byteLength;
    }
    await sleep(500);
    peak = Math.max(peak, await rssBytes(server.pid));
  }
  t.log(`slow phase: ${(received / MiB).toFixed(1)} MiB taken; server RSS ${(before / MiB).toFixed(0)} MiB before, ${(peak / MiB).toFixed(0)} MiB at peak`);
  t.true(received < size / 4, 'the reader really was slow');
  t.true(peak - before < 256 * MiB, `server RSS rose by ${((peak - before) / MiB).toFixed(0)} MiB for a 1024 MiB blob`);

  for (let next = await body.next(); !next.done; next = await body.next()) received += (next.value as Buffer).byteLength;
  t.is(received, size);
});
