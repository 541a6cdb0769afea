export {
  type CephCluster,
  cephCommand,
  type CephInstance,
  cephMemory,
  type CephMemory,
  type CephOptions,
  radosgwAdmin,
  s3ClientConfig,
  startCeph,
  stopCeph,
} from './ceph-cluster.ts';
export { isRunning, type OwnedProcess, residentBytes } from './owned-process.ts';
export {
  DEFAULT_POSTGRES_BIN_DIR,
  type PostgresInstance,
  type PostgresOptions,
  type PostgresServer,
  startPostgres,
  stopPostgres,
} from './postgres-server.ts';
export { SHARED_SERVICES_ENV, sharedCeph, sharedPostgres, startSharedServices } from './shared-services.ts';
