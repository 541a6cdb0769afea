import type { TestFn } from 'ava';
import { commitCases } from './suite-cases-commit.ts';
import { ingestCases } from './suite-cases-ingest.ts';
import { lookupCases } from './suite-cases-lookups.ts';
import { manageCases } from './suite-cases-manage.ts';
import { rangeCases } from './suite-cases-ranges.ts';
import { streamingCases } from './suite-cases-streaming.ts';
import { writeReadCases } from './suite-cases-write-read.ts';
import { MiB, type ResolvedSuiteOptions, type StoreFactory, type SuiteCase, type SuiteOptions } from './suite-support.ts';

/** Every case of the conformance suite, in registration order. */
export const contentStoreCases: readonly SuiteCase[] = [
  ...writeReadCases,
  ...rangeCases,
  ...lookupCases,
  ...commitCases,
  ...ingestCases,
  ...manageCases,
  ...streamingCases,
];

/**
 * Registers the ContentStore conformance suite with ava. Each test gets a
 * fresh store from `factory` and disposes of it through the harness's
 * `cleanup`, whether the test passes or not.
 */
export function runContentStoreSuite(test: TestFn, factory: StoreFactory, options: SuiteOptions = {}): void {
  const resolved: ResolvedSuiteOptions = {
    name: options.name ?? 'content store',
    largeBlobBytes: options.largeBlobBytes ?? 256 * MiB,
    largeBlobRssHeadroomBytes: options.largeBlobRssHeadroomBytes ?? 200 * MiB,
  };
  for (const suiteCase of contentStoreCases) {
    const register = suiteCase.serial ? test.serial : test;
    register(`${resolved.name}: ${suiteCase.title}`, async (t) => {
      const harness = await factory();
      try {
        await suiteCase.run(t, harness, resolved);
      } finally {
        await harness.cleanup();
      }
    });
  }
}
