import test from 'ava';
import { assertComparisons, runQuick } from './quick-run.ts';

interface DedupFigure {
  tool: string;
  input: string;
  available: boolean;
  reason?: string;
  storedBytes?: number;
  inputBytes?: number;
  details?: { storage?: { packBytes: number; indexBytes: number } };
}

test('dedup --quick stores the corpus in strata and in every peer and compares stored bytes', async (t) => {
  const result = await runQuick(t, 'dedup');
  assertComparisons(t, result, 'dedup', 3);
  const figures = result.json['figures'] as DedupFigure[];
  for (const tool of ['strata', 'distribution', 'casync', 'restic', 'borg']) {
    const figure = figures.find((candidate) => candidate.tool === tool);
    t.true(figure?.available, `${tool}: ${figure?.reason ?? 'missing'}`);
    t.true(figure!.storedBytes! > 0 && figure!.inputBytes! > 0, `${tool} stored bytes`);
  }
  t.true(figures.some((figure) => figure.tool === 'strata' && figure.input === 'uncompressed tars'));
  for (const figure of figures.filter((candidate) => candidate.tool === 'strata' && candidate.available)) {
    const storage = figure.details?.storage;
    t.true(storage !== undefined && storage.packBytes > 0 && storage.indexBytes > 0, 'strata figures say how much is packs and how much index');
  }
  t.true(result.json.comparisons.some((comparison) => comparison.measurement === 'stored bytes' && comparison.unit === 'bytes'));
});
