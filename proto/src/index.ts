export { PROTO_ROOT, CAS_PROTO_FILE, CAS_SERVICE_NAME, PROTO_LOADER_OPTIONS, loadCasPackageDefinition } from './load.ts';
export { generateTypes, GENERATED_DIR } from './generate-types.ts';
export {
  ERROR_CODE_KEY,
  ERROR_DETAILS_KEY,
  grpcStatusOf,
  errorCodeOfStatus,
  toGrpcStatus,
  fromGrpcError,
} from './grpc-status.ts';
export type * from './generated/messages.ts';
export type { ProtoGrpcType as CasProtoGrpcType } from './generated/cas.ts';
export type { ContentStoreClient, ContentStoreHandlers } from './generated/strata/cas/v1/ContentStore.ts';
