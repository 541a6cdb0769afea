export { Gateway, type GatewayOptions, type CloseOptions } from './gateway.ts';
export { startRegistry, type RegistryOptions, type RegistryStore, type RunningRegistry } from './registry.ts';
export type { GatewayStore, GatewaySettings } from './context.ts';
export type { RegistryMetadata, ManifestRecord, ReferrerDescriptor, UploadSession, Page } from './metadata.ts';
export { LmdbMetadata } from './lmdb-metadata.ts';
export { ERROR_REGISTRY, RegistryError, registryErrorFrom, type OciErrorCode } from './errcode.ts';
export { isRepositoryName, isTag } from './names.ts';
export { MAX_MANIFEST_BYTES, OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST } from './manifest.ts';
