export { Gateway, type GatewayOptions, type CloseOptions } from './gateway.ts';
export { startRegistry, type RegistryOptions, type RegistryStore, type RegistryAuthSettings, type RunningRegistry } from './registry.ts';
export { RegistryAuth, UNRESTRICTED, type RegistryAuthOptions, type RequestAccess, type RouteAccess, type TokenAnswer } from './auth.ts';
export { AccessPolicy } from './access-policy.ts';
export { ACTIONS, ANONYMOUS, ANY_USER, isUserName, loadAuthFile, parseAuthConfig, removeUser, setUserPassword, type AccessRule, type Action, type AuthConfig } from './auth-file.ts';
export { hashPassword, passwordWeakness, verifyPassword, MIN_PASSWORD_LENGTH } from './passwords.ts';
export { TokenIssuer, loadOrCreateTokenKey, type AccessClaims } from './tokens.ts';
export { LoginLimiter, type LoginLimits } from './login-limiter.ts';
export { parseScope, formatScope, scopesOf, type AccessEntry } from './scopes.ts';
export type { GatewayStore, GatewaySettings } from './context.ts';
export type { RegistryMetadata, ManifestRecord, ReferrerDescriptor, UploadSession, Page } from './metadata.ts';
export { LmdbMetadata } from './lmdb-metadata.ts';
export { PgMetadata, type PgMetadataOptions } from './pg-metadata.ts';
export { DEFAULT_PG_SCHEMA, MIGRATIONS, SCHEMA_VERSION, migrate, type Migration } from './pg-schema.ts';
export { describeMetadata, openMetadata, parseMetadataUrl, redactUrl, type MetadataSetting } from './metadata-selection.ts';
export { ERROR_REGISTRY, RegistryError, registryErrorFrom, type OciErrorCode } from './errcode.ts';
export { isRepositoryName, isTag } from './names.ts';
export { MAX_MANIFEST_BYTES, OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST } from './manifest.ts';
export type { BlobLink, TagRecord, PullRecord } from './metadata.ts';
export { LocalCollectionGuard, type CollectionGuard, type Collection, type TouchedCheck } from './collection-guard.ts';
export { PgCollectionGuard, type PgCollectionGuardOptions } from './pg-collection-guard.ts';
export {
  collectRegistryGarbage,
  DEFAULT_GRACE_PERIOD_MS,
  DEFAULT_UPLOAD_EXPIRY_MS,
  type CollectableStore,
  type RegistryGcDeps,
  type RegistryGcOptions,
  type RegistryGcReport,
} from './registry-gc.ts';
export { evictToBudget, type EvictionDeps, type EvictionOptions, type EvictionReport } from './cache-eviction.ts';
export { RegistryLifecycle, type LifecycleSettings, type LifecycleDeps } from './registry-lifecycle.ts';
export { RetentionPolicy, parseRetention, loadRetentionFile, type RetentionRule, type TagKeepRule } from './retention.ts';
export { QuotaPolicy, QuotaEnforcer, parseQuotas, loadQuotasFile, type QuotaRule, type QuotaUsage } from './quotas.ts';
export { PullRecorder } from './pull-times.ts';
export { lockMetadataDir } from './metadata-lock.ts';
export { parseByteSize, parseDuration, formatBytes } from './units.ts';
