import test from 'ava';
import { assertComparisons, runQuick } from './quick-run.ts';

interface DeltaFigure {
  path: string;
  pair: string;
  available: boolean;
  reason?: string;
  bytesOnWire?: number;
  reusedBytes?: number;
}

test('delta --quick pulls each next version by layers and by chunks (compressed, tars, expanded) and counts the bytes on the wire', async (t) => {
  const result = await runQuick(t, 'delta');
  assertComparisons(t, result, 'delta', 8);
  const figures = result.json['figures'] as DeltaFigure[];
  t.true(figures.length >= 4);
  for (const figure of figures) {
    t.true(figure.available, `${figure.path}, ${figure.pair}: ${figure.reason ?? ''}`);
    t.true(figure.bytesOnWire! > 0, `${figure.path}, ${figure.pair} moved bytes`);
  }
  // A chunk-aware pull of tars takes some of the next version from the one the client holds.
  t.true(figures.some((figure) => figure.path.includes('layer tars') && figure.reusedBytes! > 0));
  // So does a pull of expanded layers next to the layer tars of the version held.
  t.true(figures.some((figure) => figure.path.includes('expanded layers') && figure.reusedBytes! > 0));
});
