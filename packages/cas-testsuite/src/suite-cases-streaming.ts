import { Digester } from '@strata/digest';
import { isCancelled } from '@strata/errors';
import { generatedBytes, seededBytes } from './seeded-bytes.ts';
import { MiB, RssWatch, type SuiteCase, collect, put, readAll, rejects, sameBytes } from './suite-support.ts';

export const streamingCases: SuiteCase[] = [
  {
    title: 'a large blob streams in and out within a bounded memory footprint',
    serial: true,
    async run(t, { store }, options) {
      const total = options.largeBlobBytes;
      // A first write starts what a store starts once (worker threads, connections): not the stream's footprint.
      await put(store, seededBytes('large-warm-up', 4 * MiB), 'large-warm-up');
      const rss = new RssWatch();

      const produced = new Digester();
      const writer = await store.writer('large', { expected: { size: total } });
      for await (const piece of generatedBytes('large', total)) {
        produced.update(piece);
        await writer.write(piece);
        rss.sample();
      }
      const digest = produced.digest();
      t.deepEqual(await writer.commit({ digest }), { digest, size: total, created: true });
      const riseWriting = rss.rise;

      const read = await store.read(digest);
      t.is(read.length, total);
      const consumed = new Digester();
      for await (const piece of read.body) {
        consumed.update(piece as Uint8Array);
        rss.sample();
      }
      t.is(consumed.size, total);
      t.is(consumed.digest(), digest);

      t.log(
        `${total / MiB} MiB: RSS rose ${(riseWriting / MiB).toFixed(1)} MiB writing, ` +
          `${(rss.rise / MiB).toFixed(1)} MiB at peak over ${(rss.start / MiB).toFixed(0)} MiB`,
      );
      t.true(
        rss.rise < options.largeBlobRssHeadroomBytes,
        `RSS rose ${rss.rise} bytes, more than ${options.largeBlobRssHeadroomBytes}`,
      );
    },
  },
  {
    title: 'aborting a read mid-stream ends it with Cancelled and the store stays usable',
    async run(t, { store }) {
      const bytes = seededBytes('cancel', 8 * MiB);
      const { digest } = await put(store, bytes, 'cancel');

      const controller = new AbortController();
      const read = await store.read(digest, { signal: controller.signal });
      const pieces = read.body[Symbol.asyncIterator]();
      const first = await pieces.next();
      t.false(first.done, 'the first piece arrives before the abort');
      controller.abort();
      await rejects(
        t,
        async () => {
          let step;
          do step = await pieces.next();
          while (!step.done);
        },
        isCancelled,
        'the rest of the aborted stream',
      );

      // A signal aborted before the read starts: refused up front or on the first piece.
      await rejects(
        t,
        async () => collect((await store.read(digest, { signal: AbortSignal.abort() })).body),
        isCancelled,
        'a read with an aborted signal',
      );

      sameBytes(t, await readAll(store, digest), bytes);
      const after = seededBytes('cancel-after', 1000);
      sameBytes(t, await readAll(store, (await put(store, after, 'cancel-after')).digest), after);
    },
  },
];
