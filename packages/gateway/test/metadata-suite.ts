/**
 * The RegistryMetadata contract, run against every implementation (LMDB,
 * PostgreSQL): `runMetadataSuite(test, name, open)` where `open` gives a
 * fresh, empty metadata that the suite closes.
 */
import type { ExecutionContext, TestFn } from 'ava';
import { isUnavailable } from '@strata/errors';
import type { ManifestRecord, RegistryMetadata, UploadSession } from '@strata/gateway';

export type OpenMetadata = (t: ExecutionContext) => Promise<RegistryMetadata>;

const digest = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;

function manifest(n: number, extra: Partial<ManifestRecord> = {}): ManifestRecord {
  return { digest: digest(n), mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 100 + n, ...extra };
}

export function runMetadataSuite(test: TestFn, name: string, open: OpenMetadata): void {
  const fresh = async (t: ExecutionContext): Promise<RegistryMetadata> => {
    const metadata = await open(t);
    t.teardown(() => metadata.close());
    return metadata;
  };

  test(`${name}: a new metadata is empty`, async (t) => {
    const metadata = await fresh(t);
    t.deepEqual(await metadata.listRepositories({ limit: 10 }), []);
    t.false(await metadata.repositoryExists('a'));
    t.deepEqual([...(await metadata.linkedDigests())], []);
    t.deepEqual(await metadata.listUploads(), []);
    t.deepEqual(await metadata.listTags('a', { limit: 10 }), []);
    t.is(await metadata.getManifest('a', digest(1)), undefined);
    t.is(await metadata.resolveTag('a', 'latest'), undefined);
  });

  test(`${name}: repositories appear with their first link or manifest, listed in byte order with n/last paging`, async (t) => {
    const metadata = await fresh(t);
    const names = ['zeta', 'alpha/b', 'alpha', 'alpha-2', 'Alpha', 'alpha/b/c', 'm_1', 'm.1'];
    for (const [index, repository] of names.entries()) {
      if (index % 2 === 0) await metadata.linkBlob(repository, digest(index));
      else await metadata.putManifest(repository, manifest(index));
    }
    const sorted = [...names].sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));
    t.deepEqual(await metadata.listRepositories({ limit: 100 }), sorted);
    for (const repository of names) t.true(await metadata.repositoryExists(repository));
    t.false(await metadata.repositoryExists('alpha/'));

    const paged: string[] = [];
    let last: string | undefined;
    for (;;) {
      const page = await metadata.listRepositories(last === undefined ? { limit: 3 } : { limit: 3, last });
      t.true(page.length <= 3);
      if (page.length === 0) break;
      paged.push(...page);
      last = page.at(-1);
    }
    t.deepEqual(paged, sorted);
    t.deepEqual(await metadata.listRepositories({ limit: 0 }), []);
    t.deepEqual(await metadata.listRepositories({ limit: 2, last: 'alpha' }), sorted.slice(sorted.indexOf('alpha') + 1, sorted.indexOf('alpha') + 3));
    // `last` need not name an existing repository.
    t.deepEqual(await metadata.listRepositories({ limit: 100, last: 'n' }), sorted.filter((repository) => repository > 'n'));
    t.deepEqual(await metadata.listRepositories({ limit: 100, last: '~' }), []);
  });

  test(`${name}: blob links are per repository, idempotent, listed in digest order and unlinked once`, async (t) => {
    const metadata = await fresh(t);
    const before = Date.now();
    await metadata.linkBlob('a', digest(3));
    await metadata.linkBlob('a', digest(1));
    await metadata.linkBlob('a', digest(1));
    await metadata.linkBlob('b', digest(2));
    t.true(await metadata.isBlobLinked('a', digest(1)));
    t.false(await metadata.isBlobLinked('b', digest(1)));
    const links = await metadata.listBlobLinks('a');
    t.deepEqual(links.map((link) => link.digest), [digest(1), digest(3)]);
    for (const link of links) t.true(link.linkedAt >= before && link.linkedAt <= Date.now());
    t.deepEqual([...(await metadata.linkedDigests())].sort(), [digest(1), digest(2), digest(3)]);

    t.true(await metadata.unlinkBlob('a', digest(1)));
    t.false(await metadata.unlinkBlob('a', digest(1)));
    t.false(await metadata.isBlobLinked('a', digest(1)));
    t.deepEqual([...(await metadata.linkedDigests())].sort(), [digest(2), digest(3)]);
    // A repository stays when its last link goes, as in a registry that keeps empty repositories.
    t.true(await metadata.unlinkBlob('b', digest(2)));
    t.true(await metadata.repositoryExists('b'));
    t.deepEqual(await metadata.listBlobLinks('b'), []);
    t.deepEqual(await metadata.listBlobLinks('nothing'), []);
  });

  test(`${name}: a fresh link keeps its link time when linked again`, async (t) => {
    const metadata = await fresh(t);
    await metadata.linkBlob('a', digest(1));
    const [first] = await metadata.listBlobLinks('a');
    await new Promise((resolve) => setTimeout(resolve, 5));
    await metadata.linkBlob('a', digest(1));
    const [second] = await metadata.listBlobLinks('a');
    t.is(second!.linkedAt, first!.linkedAt);
  });

  test(`${name}: manifests round-trip every field and are listed in digest order per repository`, async (t) => {
    const metadata = await fresh(t);
    const full = manifest(7, {
      subject: digest(1),
      artifactType: 'application/vnd.example.sbom',
      annotations: { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z', note: 'ünïcode ✓' },
      pushedAt: 1_700_000_000_123,
      references: [digest(20), digest(21)],
    });
    await metadata.putManifest('a', full);
    await metadata.putManifest('a', manifest(2));
    await metadata.putManifest('b', manifest(3));
    t.deepEqual(await metadata.getManifest('a', digest(7)), full);
    t.deepEqual(await metadata.getManifest('a', digest(2)), manifest(2));
    t.is(await metadata.getManifest('b', digest(7)), undefined);
    t.deepEqual((await metadata.listManifests('a')).map((record) => record.digest), [digest(2), digest(7)]);
    t.deepEqual(await metadata.listManifests('c'), []);
    // The manifest is not a blob link: garbage collection marks through references instead.
    t.false(await metadata.isBlobLinked('a', digest(7)));
  });

  test(`${name}: putManifest with a tag points the tag, records its push time, and moves it on the next push`, async (t) => {
    const metadata = await fresh(t);
    await metadata.putManifest('a', manifest(1, { pushedAt: 1000 }), 'v1');
    const before = Date.now();
    await metadata.putManifest('a', manifest(2), 'latest');
    t.is(await metadata.resolveTag('a', 'v1'), digest(1));
    t.is(await metadata.resolveTag('a', 'latest'), digest(2));
    t.is(await metadata.resolveTag('b', 'latest'), undefined);
    const records = await metadata.listTagRecords('a');
    t.deepEqual(records.map((record) => [record.tag, record.digest]), [['latest', digest(2)], ['v1', digest(1)]]);
    t.is(records[1]!.pushedAt, 1000);
    t.true(records[0]!.pushedAt >= before);

    await metadata.putManifest('a', manifest(3, { pushedAt: 5000 }), 'v1');
    t.is(await metadata.resolveTag('a', 'v1'), digest(3));
    t.deepEqual((await metadata.listTagRecords('a')).find((record) => record.tag === 'v1'), { tag: 'v1', digest: digest(3), pushedAt: 5000 });
    // The manifest the tag left stays.
    t.truthy(await metadata.getManifest('a', digest(1)));
  });

  test(`${name}: tags list in byte order with n/last paging and delete once`, async (t) => {
    const metadata = await fresh(t);
    const tags = ['v1.0', 'latest', 'V2', 'v1.10', 'v1.2', '1', '_x', 'v1-rc'];
    for (const [index, tag] of tags.entries()) await metadata.putManifest('a', manifest(index), tag);
    await metadata.putManifest('a/b', manifest(99), 'other');
    const sorted = [...tags].sort();
    t.deepEqual(await metadata.listTags('a', { limit: 1000 }), sorted);
    t.deepEqual(await metadata.listTags('a', { limit: 2 }), sorted.slice(0, 2));
    t.deepEqual(await metadata.listTags('a', { limit: 3, last: sorted[1]! }), sorted.slice(2, 5));
    t.deepEqual(await metadata.listTags('a', { limit: 3, last: sorted.at(-1)! }), []);
    t.deepEqual(await metadata.listTags('a', { limit: 0 }), []);
    t.deepEqual(await metadata.listTags('a', { limit: 100, last: 'v1.1' }), sorted.filter((tag) => tag > 'v1.1'));
    t.deepEqual(await metadata.listTags('a/b', { limit: 10 }), ['other']);

    t.true(await metadata.deleteTag('a', 'latest'));
    t.false(await metadata.deleteTag('a', 'latest'));
    t.false(await metadata.deleteTag('nothing', 'latest'));
    t.is(await metadata.resolveTag('a', 'latest'), undefined);
    t.false((await metadata.listTagRecords('a')).some((record) => record.tag === 'latest'));
    // The manifest the tag named stays.
    t.truthy(await metadata.getManifest('a', digest(tags.indexOf('latest'))));
  });

  test(`${name}: deleting a manifest removes its tags, its referrer entry and its pull time, nothing else`, async (t) => {
    const metadata = await fresh(t);
    const referrer = manifest(5, { subject: digest(1), artifactType: 'application/x-sig' });
    await metadata.putManifest('a', manifest(1), 'v1');
    await metadata.putManifest('a', manifest(1), 'also-v1');
    await metadata.putManifest('a', manifest(2), 'v2');
    await metadata.putManifest('a', referrer, 'sig');
    await metadata.putManifest('b', manifest(1), 'v1');
    await metadata.recordPulls([{ repository: 'a', digest: digest(1), at: 10 }, { repository: 'a', digest: digest(5), at: 11 }]);

    t.true(await metadata.deleteManifest('a', digest(5)));
    t.false(await metadata.deleteManifest('a', digest(5)));
    t.deepEqual(await metadata.listReferrers('a', digest(1)), []);
    t.is(await metadata.lastPulled('a', digest(5)), undefined);
    t.is(await metadata.resolveTag('a', 'sig'), undefined);

    t.true(await metadata.deleteManifest('a', digest(1)));
    t.deepEqual(await metadata.listTags('a', { limit: 10 }), ['v2']);
    t.is(await metadata.lastPulled('a', digest(1)), undefined);
    t.is(await metadata.resolveTag('b', 'v1'), digest(1));
    t.truthy(await metadata.getManifest('b', digest(1)));
    t.false(await metadata.deleteManifest('nothing', digest(1)));
  });

  test(`${name}: referrers are listed per repository and subject in digest order, with descriptors from the manifest`, async (t) => {
    const metadata = await fresh(t);
    const subject = digest(1);
    const signature = manifest(9, { subject, artifactType: 'application/x-sig', annotations: { by: 'ci' }, pushedAt: 5, references: [digest(40)] });
    const sbom = manifest(4, { subject, mediaType: 'application/vnd.oci.artifact.manifest.v1+json' });
    await metadata.putManifest('a', signature);
    await metadata.putManifest('a', sbom);
    await metadata.putManifest('a', manifest(6, { subject: digest(2) }));
    await metadata.putManifest('b', manifest(8, { subject }));
    t.deepEqual(await metadata.listReferrers('a', subject), [
      { mediaType: sbom.mediaType, digest: digest(4), size: sbom.size },
      { mediaType: signature.mediaType, digest: digest(9), size: signature.size, artifactType: 'application/x-sig', annotations: { by: 'ci' } },
    ]);
    t.deepEqual((await metadata.listReferrers('b', subject)).map((descriptor) => descriptor.digest), [digest(8)]);
    t.deepEqual(await metadata.listReferrers('a', digest(3)), []);
    // A referrer may arrive before its subject and is listed all the same.
    t.is(await metadata.getManifest('a', subject), undefined);
  });

  test(`${name}: pull times keep the latest per manifest, within a batch and across batches`, async (t) => {
    const metadata = await fresh(t);
    await metadata.recordPulls([]);
    await metadata.recordPulls([
      { repository: 'a', digest: digest(1), at: 100 },
      { repository: 'a', digest: digest(1), at: 300 },
      { repository: 'a', digest: digest(1), at: 200 },
      { repository: 'b', digest: digest(1), at: 50 },
    ]);
    t.is(await metadata.lastPulled('a', digest(1)), 300);
    t.is(await metadata.lastPulled('b', digest(1)), 50);
    await metadata.recordPulls([{ repository: 'a', digest: digest(1), at: 250 }]);
    t.is(await metadata.lastPulled('a', digest(1)), 300);
    await metadata.recordPulls([{ repository: 'a', digest: digest(1), at: 1_800_000_000_000 }]);
    t.is(await metadata.lastPulled('a', digest(1)), 1_800_000_000_000);
    t.is(await metadata.lastPulled('a', digest(2)), undefined);
  });

  test(`${name}: upload sessions are stored whole, replaced, listed in uuid order and deleted idempotently`, async (t) => {
    const metadata = await fresh(t);
    const second: UploadSession = { uuid: 'b-uuid', repository: 'a/b', ref: 'upload-b', startedAt: 1, offset: 0 };
    const first: UploadSession = { uuid: 'a-uuid', repository: 'a', ref: 'upload-a', startedAt: 2, offset: 0 };
    await metadata.putUpload(second);
    await metadata.putUpload(first);
    t.deepEqual(await metadata.getUpload('b-uuid'), second);
    t.is(await metadata.getUpload('c-uuid'), undefined);
    const moved: UploadSession = { ...first, offset: 1 << 30, updatedAt: 1_700_000_000_000 };
    await metadata.putUpload(moved);
    t.deepEqual(await metadata.getUpload('a-uuid'), moved);
    t.deepEqual(await metadata.listUploads(), [moved, second]);
    await metadata.deleteUpload('a-uuid');
    await metadata.deleteUpload('a-uuid');
    t.deepEqual(await metadata.listUploads(), [second]);
    // Sessions are not repositories.
    t.false(await metadata.repositoryExists('a/b'));
  });

  test(`${name}: concurrent writers of the same links and manifests all succeed with one record each`, async (t) => {
    const metadata = await fresh(t);
    const writers = 16;
    await Promise.all(
      Array.from({ length: writers }, async (_, index) => {
        await metadata.linkBlob('race', digest(1));
        await metadata.linkBlob(`race/${index % 2}`, digest(2));
        await metadata.putManifest('race', manifest(3, { pushedAt: 1000 }), 'latest');
        await metadata.putManifest('race', manifest(4, { subject: digest(3), pushedAt: 1000 }), `t${index % 4}`);
        await metadata.recordPulls([{ repository: 'race', digest: digest(3), at: index }]);
      }),
    );
    t.deepEqual(await metadata.listBlobLinks('race').then((links) => links.map((link) => link.digest)), [digest(1)]);
    t.deepEqual(await metadata.listRepositories({ limit: 10 }), ['race', 'race/0', 'race/1']);
    t.deepEqual((await metadata.listManifests('race')).map((record) => record.digest), [digest(3), digest(4)]);
    t.deepEqual(await metadata.listTags('race', { limit: 10 }), ['latest', 't0', 't1', 't2', 't3']);
    t.deepEqual((await metadata.listReferrers('race', digest(3))).map((descriptor) => descriptor.digest), [digest(4)]);
    t.is(await metadata.lastPulled('race', digest(3)), writers - 1);
  });

  test(`${name}: a tag pushed while its manifest is deleted ends either fully recorded or fully gone`, async (t) => {
    const metadata = await fresh(t);
    for (let round = 0; round < 10; round++) {
      await metadata.putManifest('a', manifest(1), 'v');
      await Promise.all([metadata.deleteManifest('a', digest(1)), metadata.putManifest('a', manifest(1), 'v')]);
      const record = await metadata.getManifest('a', digest(1));
      const tag = await metadata.resolveTag('a', 'v');
      // Never a tag naming a manifest that is gone.
      if (tag !== undefined) t.truthy(record);
    }
    t.pass();
  });

  test(`${name}: a closed metadata answers Unavailable, and closes again quietly`, async (t) => {
    const metadata = await open(t);
    await metadata.linkBlob('a', digest(1));
    await metadata.close();
    await metadata.close();
    const error = await t.throwsAsync(metadata.isBlobLinked('a', digest(1)));
    t.true(isUnavailable(error));
    t.true(isUnavailable(await t.throwsAsync(metadata.recordPulls([{ repository: 'a', digest: digest(1), at: 1 }]))));
  });
}
