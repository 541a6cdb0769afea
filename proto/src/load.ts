import { fileURLToPath } from 'node:url';
import * as protoLoader from '@grpc/proto-loader';
import type { PackageDefinition } from '@grpc/proto-loader';

/** Directory the protos are imported from (`cas/v1/cas.proto` is relative to it). */
export const PROTO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The CAS service's proto, relative to PROTO_ROOT. */
export const CAS_PROTO_FILE = 'cas/v1/cas.proto';

/** Fully qualified name of the CAS service. */
export const CAS_SERVICE_NAME = 'strata.cas.v1.ContentStore';

/**
 * How messages become JavaScript objects. The generated types in
 * src/generated/ are made with the same choices (see generate-types.ts):
 * change one, regenerate the other.
 */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  // Sizes are safe integers everywhere in strata (blobs stay far below 2^53 bytes).
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
};

/** The CAS protos as a package definition for grpc-js and reflection. */
export function loadCasPackageDefinition(): PackageDefinition {
  return protoLoader.loadSync(CAS_PROTO_FILE, PROTO_LOADER_OPTIONS);
}
