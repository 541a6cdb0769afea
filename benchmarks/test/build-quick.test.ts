import test from 'ava';
import { assertComparisons, runQuick } from './quick-run.ts';

interface BuildFigure {
  tool: string;
  phase: string;
  available: boolean;
  reason?: string;
  seconds?: number;
  storedBytes?: number;
  builds?: { commit: string; seconds: number; cacheHits: number }[];
}

test('build --quick builds the commits cold and warm against both registries and compares them', async (t) => {
  const result = await runQuick(t, 'build');
  assertComparisons(t, result, 'build', 3);
  const figures = result.json['figures'] as BuildFigure[];
  for (const tool of ['strata', 'distribution']) {
    for (const phase of ['cold', 'warm', 'stored']) {
      const figure = figures.find((candidate) => candidate.tool === tool && candidate.phase === phase);
      t.true(figure?.available, `${tool} ${phase}: ${figure?.reason ?? 'missing'}`);
    }
    // Warm builds start from clean local storage: their steps come from the registry's cache.
    const warm = figures.find((figure) => figure.tool === tool && figure.phase === 'warm')!;
    t.true(warm.builds!.every((build) => build.cacheHits > 0), `${tool} warm builds hit the cache`);
  }
});
