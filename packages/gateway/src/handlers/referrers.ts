import type { RequestContext } from '../context.ts';
import { OCI_INDEX } from '../manifest.ts';
import { digestOf, repositoryOf } from '../params.ts';
import { sendJson } from '../respond.ts';

/**
 * `GET /v2/<name>/referrers/<digest>?artifactType=`: the manifests whose
 * subject is `digest`, as an OCI image index. Always 200 (an empty index
 * when nothing refers to it), as the spec asks.
 */
export async function listReferrers(context: RequestContext): Promise<void> {
  const repository = repositoryOf(context);
  const subject = digestOf(context.params.digest);
  const artifactType = context.query.get('artifactType');
  let referrers = await context.deps.metadata.listReferrers(repository, subject);
  const headers: Record<string, string> = { 'content-type': OCI_INDEX };
  if (artifactType !== null) {
    referrers = referrers.filter((referrer) => referrer.artifactType === artifactType);
    headers['oci-filters-applied'] = 'artifactType';
  }
  sendJson(context.res, 200, { schemaVersion: 2, mediaType: OCI_INDEX, manifests: referrers }, headers);
}
