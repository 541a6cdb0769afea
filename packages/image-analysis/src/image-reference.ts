import { isDigest } from '@strata/digest';
import { StrataError } from '@strata/errors';

/** An image on a registry: `[docker://]host[:port]/repository(:tag|@digest)`. */
export interface ImageReference {
  /** Host (and port) as the user wrote it; docker.io for Docker Hub. */
  host: string;
  repository: string;
  /** A tag or a digest. */
  reference: string;
}

const DOCKER_HUB = 'docker.io';
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REPOSITORY = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:]+\])(?::\d{1,5})?$/;

/** The host part of a name is a registry only when it looks like one (has a dot or a port, or is localhost). */
function looksLikeHost(component: string): boolean {
  return HOST.test(component) && (component.includes('.') || component.includes(':') || component.startsWith('localhost'));
}

/**
 * Parses an image reference. With `docker://` any name is a reference
 * (Docker Hub when it names no registry); without it, the name must start
 * with a registry host, so a mistyped path is not taken for an image.
 * Undefined when the text is not a reference.
 */
export function parseImageReference(text: string): ImageReference | undefined {
  const explicit = text.startsWith('docker://');
  let rest = explicit ? text.slice('docker://'.length) : text;
  let reference = 'latest';
  const at = rest.indexOf('@');
  if (at !== -1) {
    reference = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isDigest(reference)) return undefined;
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      reference = rest.slice(colon + 1);
      rest = rest.slice(0, colon);
      if (!TAG.test(reference)) return undefined;
    }
  }
  const slash = rest.indexOf('/');
  const first = slash === -1 ? '' : rest.slice(0, slash);
  let host: string;
  let repository: string;
  if (slash !== -1 && looksLikeHost(first)) {
    host = first;
    repository = rest.slice(slash + 1);
  } else if (explicit) {
    host = DOCKER_HUB;
    repository = rest.includes('/') ? rest : `library/${rest}`;
  } else {
    return undefined;
  }
  if (!REPOSITORY.test(repository)) return undefined;
  return { host, repository, reference };
}

export function formatImageReference(ref: ImageReference): string {
  return `${ref.host}/${ref.repository}${ref.reference.includes(':') ? '@' : ':'}${ref.reference}`;
}

/** parseImageReference, or InvalidArgument. */
export function imageReference(text: string): ImageReference {
  const ref = parseImageReference(text);
  if (!ref) throw new StrataError('InvalidArgument', `not an image reference: ${text}`);
  return ref;
}
