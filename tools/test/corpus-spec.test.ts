import test from 'ava';
import { corpusSpec, type CorpusSize } from '../src/corpus-spec.ts';

for (const size of ['small', 'full'] as const satisfies readonly CorpusSize[]) {
  test(`the ${size} corpus has a base, app series, a multi-stage pair and every compression`, (t) => {
    const images = corpusSpec(size);
    t.is(new Set(images.map((image) => image.name)).size, images.length, 'image names are unique');
    const base = images.find((image) => image.name === 'debian-base');
    t.truthy(base);
    // Every image starts from the same base layer: that sharing is what a registry sees.
    for (const image of images) t.deepEqual(image.layers[0], base!.layers[0], image.name);

    const series = new Map<string, number[]>();
    for (const image of images) if (image.series) series.set(image.series, [...(series.get(image.series) ?? []), image.version!]);
    t.true(series.has('node-app') && series.has('python-app'));
    for (const [name, versions] of series) {
      t.true(versions.length >= 3, `${name} has versions to step through`);
      t.deepEqual(versions, versions.map((_, index) => index + 1), `${name} versions run 1..N`);
    }
    t.true(images.some((image) => image.name === 'node-builder') && images.some((image) => image.name === 'node-final'));
    t.deepEqual(new Set(images.map((image) => image.compression)), new Set(['gzip', 'pigz', 'zstd']));
  });
}

test('the full corpus holds more images than the small one', (t) => {
  t.true(corpusSpec('full').length > corpusSpec('small').length);
});
