import test from 'ava';
import { errorCodes, imageManifest, pushBlob, pushImage, putManifest, randomBlob, startEngineRegistry } from './support.ts';

test('tags list: lexical order, n and last paginate, Link points at the next page', async (t) => {
  const { url } = await startEngineRegistry(t);
  const image = imageManifest(Buffer.from('{"c":1}'), [randomBlob(100).bytes]);
  await pushImage(url, 'demo', image, 'b');
  for (const tag of ['a', 'd', 'c', 'e']) t.is((await putManifest(url, 'demo', tag, image.manifest)).status, 201);

  const all = await fetch(`${url}/v2/demo/tags/list`);
  t.is(all.status, 200);
  t.deepEqual(await all.json(), { name: 'demo', tags: ['a', 'b', 'c', 'd', 'e'] });
  t.is(all.headers.get('link'), null);

  const first = await fetch(`${url}/v2/demo/tags/list?n=2`);
  t.deepEqual(((await first.json()) as { tags: string[] }).tags, ['a', 'b']);
  const link = first.headers.get('link') ?? '';
  t.is(link, '</v2/demo/tags/list?n=2&last=b>; rel="next"');
  const next = await fetch(new URL(/<([^>]+)>/.exec(link)![1]!, url));
  t.deepEqual(((await next.json()) as { tags: string[] }).tags, ['c', 'd']);

  const after = await fetch(`${url}/v2/demo/tags/list?last=c`);
  t.deepEqual(((await after.json()) as { tags: string[] }).tags, ['d', 'e']);
  const lastPage = await fetch(`${url}/v2/demo/tags/list?n=2&last=c`);
  t.deepEqual(((await lastPage.json()) as { tags: string[] }).tags, ['d', 'e']);
  t.is(lastPage.headers.get('link'), null);
  const zero = await fetch(`${url}/v2/demo/tags/list?n=0`);
  t.deepEqual(((await zero.json()) as { tags: string[] }).tags, []);
});

test('tags list of an unknown repository is 404 NAME_UNKNOWN', async (t) => {
  const { url } = await startEngineRegistry(t);
  const response = await fetch(`${url}/v2/nobody/tags/list`);
  t.is(response.status, 404);
  t.deepEqual(await errorCodes(response), ['NAME_UNKNOWN']);
});

test('_catalog lists repositories with n, last and Link', async (t) => {
  const { url } = await startEngineRegistry(t);
  for (const name of ['zeta', 'alpha', 'team/app', 'beta']) await pushBlob(url, name, Buffer.from(name));
  const all = await fetch(`${url}/v2/_catalog`);
  t.deepEqual(await all.json(), { repositories: ['alpha', 'beta', 'team/app', 'zeta'] });
  const page = await fetch(`${url}/v2/_catalog?n=3`);
  t.deepEqual(((await page.json()) as { repositories: string[] }).repositories, ['alpha', 'beta', 'team/app']);
  t.is(page.headers.get('link'), `</v2/_catalog?n=3&last=team%2Fapp>; rel="next"`);
  const rest = await fetch(`${url}/v2/_catalog?n=3&last=team/app`);
  t.deepEqual(((await rest.json()) as { repositories: string[] }).repositories, ['zeta']);
});
