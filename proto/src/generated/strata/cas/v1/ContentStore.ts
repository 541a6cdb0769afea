// Original file: cas/v1/cas.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AbortRequest as _strata_cas_v1_AbortRequest, AbortRequest__Output as _strata_cas_v1_AbortRequest__Output } from '../../../strata/cas/v1/AbortRequest.ts';
import type { AbortResponse as _strata_cas_v1_AbortResponse, AbortResponse__Output as _strata_cas_v1_AbortResponse__Output } from '../../../strata/cas/v1/AbortResponse.ts';
import type { CollectGarbageRequest as _strata_cas_v1_CollectGarbageRequest, CollectGarbageRequest__Output as _strata_cas_v1_CollectGarbageRequest__Output } from '../../../strata/cas/v1/CollectGarbageRequest.ts';
import type { CollectGarbageResponse as _strata_cas_v1_CollectGarbageResponse, CollectGarbageResponse__Output as _strata_cas_v1_CollectGarbageResponse__Output } from '../../../strata/cas/v1/CollectGarbageResponse.ts';
import type { CommitRecipeRequest as _strata_cas_v1_CommitRecipeRequest, CommitRecipeRequest__Output as _strata_cas_v1_CommitRecipeRequest__Output } from '../../../strata/cas/v1/CommitRecipeRequest.ts';
import type { CommitRecipeResponse as _strata_cas_v1_CommitRecipeResponse, CommitRecipeResponse__Output as _strata_cas_v1_CommitRecipeResponse__Output } from '../../../strata/cas/v1/CommitRecipeResponse.ts';
import type { CreateLeaseRequest as _strata_cas_v1_CreateLeaseRequest, CreateLeaseRequest__Output as _strata_cas_v1_CreateLeaseRequest__Output } from '../../../strata/cas/v1/CreateLeaseRequest.ts';
import type { CreateLeaseResponse as _strata_cas_v1_CreateLeaseResponse, CreateLeaseResponse__Output as _strata_cas_v1_CreateLeaseResponse__Output } from '../../../strata/cas/v1/CreateLeaseResponse.ts';
import type { DeleteRequest as _strata_cas_v1_DeleteRequest, DeleteRequest__Output as _strata_cas_v1_DeleteRequest__Output } from '../../../strata/cas/v1/DeleteRequest.ts';
import type { DeleteResponse as _strata_cas_v1_DeleteResponse, DeleteResponse__Output as _strata_cas_v1_DeleteResponse__Output } from '../../../strata/cas/v1/DeleteResponse.ts';
import type { FindMissingBlobsRequest as _strata_cas_v1_FindMissingBlobsRequest, FindMissingBlobsRequest__Output as _strata_cas_v1_FindMissingBlobsRequest__Output } from '../../../strata/cas/v1/FindMissingBlobsRequest.ts';
import type { FindMissingBlobsResponse as _strata_cas_v1_FindMissingBlobsResponse, FindMissingBlobsResponse__Output as _strata_cas_v1_FindMissingBlobsResponse__Output } from '../../../strata/cas/v1/FindMissingBlobsResponse.ts';
import type { FindMissingChunksRequest as _strata_cas_v1_FindMissingChunksRequest, FindMissingChunksRequest__Output as _strata_cas_v1_FindMissingChunksRequest__Output } from '../../../strata/cas/v1/FindMissingChunksRequest.ts';
import type { FindMissingChunksResponse as _strata_cas_v1_FindMissingChunksResponse, FindMissingChunksResponse__Output as _strata_cas_v1_FindMissingChunksResponse__Output } from '../../../strata/cas/v1/FindMissingChunksResponse.ts';
import type { FsckRequest as _strata_cas_v1_FsckRequest, FsckRequest__Output as _strata_cas_v1_FsckRequest__Output } from '../../../strata/cas/v1/FsckRequest.ts';
import type { FsckResponse as _strata_cas_v1_FsckResponse, FsckResponse__Output as _strata_cas_v1_FsckResponse__Output } from '../../../strata/cas/v1/FsckResponse.ts';
import type { GetChunkingRequest as _strata_cas_v1_GetChunkingRequest, GetChunkingRequest__Output as _strata_cas_v1_GetChunkingRequest__Output } from '../../../strata/cas/v1/GetChunkingRequest.ts';
import type { GetChunkingResponse as _strata_cas_v1_GetChunkingResponse, GetChunkingResponse__Output as _strata_cas_v1_GetChunkingResponse__Output } from '../../../strata/cas/v1/GetChunkingResponse.ts';
import type { GetRecipeRequest as _strata_cas_v1_GetRecipeRequest, GetRecipeRequest__Output as _strata_cas_v1_GetRecipeRequest__Output } from '../../../strata/cas/v1/GetRecipeRequest.ts';
import type { GetRecipeResponse as _strata_cas_v1_GetRecipeResponse, GetRecipeResponse__Output as _strata_cas_v1_GetRecipeResponse__Output } from '../../../strata/cas/v1/GetRecipeResponse.ts';
import type { ListLeasesRequest as _strata_cas_v1_ListLeasesRequest, ListLeasesRequest__Output as _strata_cas_v1_ListLeasesRequest__Output } from '../../../strata/cas/v1/ListLeasesRequest.ts';
import type { ListLeasesResponse as _strata_cas_v1_ListLeasesResponse, ListLeasesResponse__Output as _strata_cas_v1_ListLeasesResponse__Output } from '../../../strata/cas/v1/ListLeasesResponse.ts';
import type { ListRequest as _strata_cas_v1_ListRequest, ListRequest__Output as _strata_cas_v1_ListRequest__Output } from '../../../strata/cas/v1/ListRequest.ts';
import type { ListResponse as _strata_cas_v1_ListResponse, ListResponse__Output as _strata_cas_v1_ListResponse__Output } from '../../../strata/cas/v1/ListResponse.ts';
import type { ListStatusesRequest as _strata_cas_v1_ListStatusesRequest, ListStatusesRequest__Output as _strata_cas_v1_ListStatusesRequest__Output } from '../../../strata/cas/v1/ListStatusesRequest.ts';
import type { ListStatusesResponse as _strata_cas_v1_ListStatusesResponse, ListStatusesResponse__Output as _strata_cas_v1_ListStatusesResponse__Output } from '../../../strata/cas/v1/ListStatusesResponse.ts';
import type { PutChunksRequest as _strata_cas_v1_PutChunksRequest, PutChunksRequest__Output as _strata_cas_v1_PutChunksRequest__Output } from '../../../strata/cas/v1/PutChunksRequest.ts';
import type { PutChunksResponse as _strata_cas_v1_PutChunksResponse, PutChunksResponse__Output as _strata_cas_v1_PutChunksResponse__Output } from '../../../strata/cas/v1/PutChunksResponse.ts';
import type { ReadChunksRequest as _strata_cas_v1_ReadChunksRequest, ReadChunksRequest__Output as _strata_cas_v1_ReadChunksRequest__Output } from '../../../strata/cas/v1/ReadChunksRequest.ts';
import type { ReadChunksResponse as _strata_cas_v1_ReadChunksResponse, ReadChunksResponse__Output as _strata_cas_v1_ReadChunksResponse__Output } from '../../../strata/cas/v1/ReadChunksResponse.ts';
import type { ReadRequest as _strata_cas_v1_ReadRequest, ReadRequest__Output as _strata_cas_v1_ReadRequest__Output } from '../../../strata/cas/v1/ReadRequest.ts';
import type { ReadResponse as _strata_cas_v1_ReadResponse, ReadResponse__Output as _strata_cas_v1_ReadResponse__Output } from '../../../strata/cas/v1/ReadResponse.ts';
import type { ReleaseLeaseRequest as _strata_cas_v1_ReleaseLeaseRequest, ReleaseLeaseRequest__Output as _strata_cas_v1_ReleaseLeaseRequest__Output } from '../../../strata/cas/v1/ReleaseLeaseRequest.ts';
import type { ReleaseLeaseResponse as _strata_cas_v1_ReleaseLeaseResponse, ReleaseLeaseResponse__Output as _strata_cas_v1_ReleaseLeaseResponse__Output } from '../../../strata/cas/v1/ReleaseLeaseResponse.ts';
import type { StatRequest as _strata_cas_v1_StatRequest, StatRequest__Output as _strata_cas_v1_StatRequest__Output } from '../../../strata/cas/v1/StatRequest.ts';
import type { StatResponse as _strata_cas_v1_StatResponse, StatResponse__Output as _strata_cas_v1_StatResponse__Output } from '../../../strata/cas/v1/StatResponse.ts';
import type { StatsRequest as _strata_cas_v1_StatsRequest, StatsRequest__Output as _strata_cas_v1_StatsRequest__Output } from '../../../strata/cas/v1/StatsRequest.ts';
import type { StatsResponse as _strata_cas_v1_StatsResponse, StatsResponse__Output as _strata_cas_v1_StatsResponse__Output } from '../../../strata/cas/v1/StatsResponse.ts';
import type { StatusRequest as _strata_cas_v1_StatusRequest, StatusRequest__Output as _strata_cas_v1_StatusRequest__Output } from '../../../strata/cas/v1/StatusRequest.ts';
import type { StatusResponse as _strata_cas_v1_StatusResponse, StatusResponse__Output as _strata_cas_v1_StatusResponse__Output } from '../../../strata/cas/v1/StatusResponse.ts';
import type { WriteRequest as _strata_cas_v1_WriteRequest, WriteRequest__Output as _strata_cas_v1_WriteRequest__Output } from '../../../strata/cas/v1/WriteRequest.ts';
import type { WriteResponse as _strata_cas_v1_WriteResponse, WriteResponse__Output as _strata_cas_v1_WriteResponse__Output } from '../../../strata/cas/v1/WriteResponse.ts';

export interface ContentStoreClient extends grpc.Client {
  /**
   * Ends the write under a ref and drops its bytes. Idempotent: unknown refs
   * succeed.
   */
  Abort(argument: _strata_cas_v1_AbortRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_AbortResponse__Output>): grpc.ClientUnaryCall;
  Abort(argument: _strata_cas_v1_AbortRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_strata_cas_v1_AbortResponse__Output>): grpc.ClientUnaryCall;
  Abort(argument: _strata_cas_v1_AbortRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_AbortResponse__Output>): grpc.ClientUnaryCall;
  Abort(argument: _strata_cas_v1_AbortRequest, callback: grpc.requestCallback<_strata_cas_v1_AbortResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Ends the write under a ref and drops its bytes. Idempotent: unknown refs
   * succeed.
   */
  abort(argument: _strata_cas_v1_AbortRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_AbortResponse__Output>): grpc.ClientUnaryCall;
  abort(argument: _strata_cas_v1_AbortRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_strata_cas_v1_AbortResponse__Output>): grpc.ClientUnaryCall;
  abort(argument: _strata_cas_v1_AbortRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_AbortResponse__Output>): grpc.ClientUnaryCall;
  abort(argument: _strata_cas_v1_AbortRequest, callback: grpc.requestCallback<_strata_cas_v1_AbortResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Online garbage collection: removes chunks nothing references (blobs,
   * live leases, open or saved writes) and compacts sparse packs, while
   * reads and writes go on. Progress is not streamed; the report comes whole
   * at the end.
   */
  CollectGarbage(argument: _strata_cas_v1_CollectGarbageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_CollectGarbageResponse__Output>): grpc.ClientUnaryCall;
  CollectGarbage(argument: _strata_cas_v1_CollectGarbageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_strata_cas_v1_CollectGarbageResponse__Output>): grpc.ClientUnaryCall;
  CollectGarbage(argument: _strata_cas_v1_CollectGarbageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_CollectGarbageResponse__Output>): grpc.ClientUnaryCall;
  CollectGarbage(argument: _strata_cas_v1_CollectGarbageRequest, callback: grpc.requestCallback<_strata_cas_v1_CollectGarbageResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Online garbage collection: removes chunks nothing references (blobs,
   * live leases, open or saved writes) and compacts sparse packs, while
   * reads and writes go on. Progress is not streamed; the report comes whole
   * at the end.
   */
  collectGarbage(argument: _strata_cas_v1_CollectGarbageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_CollectGarbageResponse__Output>): grpc.ClientUnaryCall;
  collectGarbage(argument: _strata_cas_v1_CollectGarbageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_strata_cas_v1_CollectGarbageResponse__Output>): grpc.ClientUnaryCall;
  collectGarbage(argument: _strata_cas_v1_CollectGarbageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_CollectGarbageResponse__Output>): grpc.ClientUnaryCall;
  collectGarbage(argument: _strata_cas_v1_CollectGarbageRequest, callback: grpc.requestCallback<_strata_cas_v1_CollectGarbageResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Commits a blob made of chunks the store holds. FAILED_PRECONDITION with
   * details {"missing": [...]} when some are missing; the assembled content
   * must match the expected digest and size (DigestMismatch / SizeMismatch).
   */
  CommitRecipe(argument: _strata_cas_v1_CommitRecipeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_CommitRecipeResponse__Output>): grpc.ClientUnaryCall;
  CommitRecipe(argument: _strata_cas_v1_CommitRecipeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_strata_cas_v1_CommitRecipeResponse__Output>): grpc.ClientUnaryCall;
  CommitRecipe(argument: _strata_cas_v1_CommitRecipeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_CommitRecipeResponse__Output>): grpc.ClientUnaryCall;
  CommitRecipe(argument: _strata_cas_v1_CommitRecipeRequest, callback: grpc.requestCallback<_strata_cas_v1_CommitRecipeResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Commits a blob made of chunks the store holds. FAILED_PRECONDITION with
   * details {"missing": [...]} when some are missing; the assembled content
   * must match the expected digest and size (DigestMismatch / SizeMismatch).
   */
  commitRecipe(argument: _strata_cas_v1_CommitRecipeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_CommitRecipeResponse__Output>): grpc.ClientUnaryCall;
  commitRecipe(argument: _strata_cas_v1_CommitRecipeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_strata_cas_v1_CommitRecipeResponse__Output>): grpc.ClientUnaryCall;
  commitRecipe(argument: _strata_cas_v1_CommitRecipeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_CommitRecipeResponse__Output>): grpc.ClientUnaryCall;
  commitRecipe(argument: _strata_cas_v1_CommitRecipeRequest, callback: grpc.requestCallback<_strata_cas_v1_CommitRecipeResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Creates a lease: what is added under it is a garbage collection root
   * until it is released or expires. ALREADY_EXISTS when the id is taken.
   */
  CreateLease(argument: _strata_cas_v1_CreateLeaseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_CreateLeaseResponse__Output>): grpc.ClientUnaryCall;
  CreateLease(argument: _strata_cas_v1_CreateLeaseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_strata_cas_v1_CreateLeaseResponse__Output>): grpc.ClientUnaryCall;
  CreateLease(argument: _strata_cas_v1_CreateLeaseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_CreateLeaseResponse__Output>): grpc.ClientUnaryCall;
  CreateLease(argument: _strata_cas_v1_CreateLeaseRequest, callback: grpc.requestCallback<_strata_cas_v1_CreateLeaseResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Creates a lease: what is added under it is a garbage collection root
   * until it is released or expires. ALREADY_EXISTS when the id is taken.
   */
  createLease(argument: _strata_cas_v1_CreateLeaseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_CreateLeaseResponse__Output>): grpc.ClientUnaryCall;
  createLease(argument: _strata_cas_v1_CreateLeaseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_strata_cas_v1_CreateLeaseResponse__Output>): grpc.ClientUnaryCall;
  createLease(argument: _strata_cas_v1_CreateLeaseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_CreateLeaseResponse__Output>): grpc.ClientUnaryCall;
  createLease(argument: _strata_cas_v1_CreateLeaseRequest, callback: grpc.requestCallback<_strata_cas_v1_CreateLeaseResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Deletes a blob: unreadable at once, its unshared chunks become garbage.
   * NOT_FOUND when absent.
   */
  Delete(argument: _strata_cas_v1_DeleteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  Delete(argument: _strata_cas_v1_DeleteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_strata_cas_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  Delete(argument: _strata_cas_v1_DeleteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  Delete(argument: _strata_cas_v1_DeleteRequest, callback: grpc.requestCallback<_strata_cas_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Deletes a blob: unreadable at once, its unshared chunks become garbage.
   * NOT_FOUND when absent.
   */
  delete(argument: _strata_cas_v1_DeleteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  delete(argument: _strata_cas_v1_DeleteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_strata_cas_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  delete(argument: _strata_cas_v1_DeleteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  delete(argument: _strata_cas_v1_DeleteRequest, callback: grpc.requestCallback<_strata_cas_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * The subset of the given blob digests the store does not hold, in the
   * order given. Idempotent.
   */
  FindMissingBlobs(argument: _strata_cas_v1_FindMissingBlobsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_FindMissingBlobsResponse__Output>): grpc.ClientUnaryCall;
  FindMissingBlobs(argument: _strata_cas_v1_FindMissingBlobsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_strata_cas_v1_FindMissingBlobsResponse__Output>): grpc.ClientUnaryCall;
  FindMissingBlobs(argument: _strata_cas_v1_FindMissingBlobsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_FindMissingBlobsResponse__Output>): grpc.ClientUnaryCall;
  FindMissingBlobs(argument: _strata_cas_v1_FindMissingBlobsRequest, callback: grpc.requestCallback<_strata_cas_v1_FindMissingBlobsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * The subset of the given blob digests the store does not hold, in the
   * order given. Idempotent.
   */
  findMissingBlobs(argument: _strata_cas_v1_FindMissingBlobsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_FindMissingBlobsResponse__Output>): grpc.ClientUnaryCall;
  findMissingBlobs(argument: _strata_cas_v1_FindMissingBlobsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_strata_cas_v1_FindMissingBlobsResponse__Output>): grpc.ClientUnaryCall;
  findMissingBlobs(argument: _strata_cas_v1_FindMissingBlobsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_FindMissingBlobsResponse__Output>): grpc.ClientUnaryCall;
  findMissingBlobs(argument: _strata_cas_v1_FindMissingBlobsRequest, callback: grpc.requestCallback<_strata_cas_v1_FindMissingBlobsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * The subset of the given chunk digests the store lacks, in the order
   * given. Idempotent.
   */
  FindMissingChunks(argument: _strata_cas_v1_FindMissingChunksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_FindMissingChunksResponse__Output>): grpc.ClientUnaryCall;
  FindMissingChunks(argument: _strata_cas_v1_FindMissingChunksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_strata_cas_v1_FindMissingChunksResponse__Output>): grpc.ClientUnaryCall;
  FindMissingChunks(argument: _strata_cas_v1_FindMissingChunksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_FindMissingChunksResponse__Output>): grpc.ClientUnaryCall;
  FindMissingChunks(argument: _strata_cas_v1_FindMissingChunksRequest, callback: grpc.requestCallback<_strata_cas_v1_FindMissingChunksResponse__Output>): grpc.ClientUnaryCall;
  /**
   * The subset of the given chunk digests the store lacks, in the order
   * given. Idempotent.
   */
  findMissingChunks(argument: _strata_cas_v1_FindMissingChunksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_FindMissingChunksResponse__Output>): grpc.ClientUnaryCall;
  findMissingChunks(argument: _strata_cas_v1_FindMissingChunksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_strata_cas_v1_FindMissingChunksResponse__Output>): grpc.ClientUnaryCall;
  findMissingChunks(argument: _strata_cas_v1_FindMissingChunksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_FindMissingChunksResponse__Output>): grpc.ClientUnaryCall;
  findMissingChunks(argument: _strata_cas_v1_FindMissingChunksRequest, callback: grpc.requestCallback<_strata_cas_v1_FindMissingChunksResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Verifies every chunk and recipe. Progress is not streamed; the report
   * comes whole at the end.
   */
  Fsck(argument: _strata_cas_v1_FsckRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_FsckResponse__Output>): grpc.ClientUnaryCall;
  Fsck(argument: _strata_cas_v1_FsckRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_strata_cas_v1_FsckResponse__Output>): grpc.ClientUnaryCall;
  Fsck(argument: _strata_cas_v1_FsckRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_FsckResponse__Output>): grpc.ClientUnaryCall;
  Fsck(argument: _strata_cas_v1_FsckRequest, callback: grpc.requestCallback<_strata_cas_v1_FsckResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Verifies every chunk and recipe. Progress is not streamed; the report
   * comes whole at the end.
   */
  fsck(argument: _strata_cas_v1_FsckRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_FsckResponse__Output>): grpc.ClientUnaryCall;
  fsck(argument: _strata_cas_v1_FsckRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_strata_cas_v1_FsckResponse__Output>): grpc.ClientUnaryCall;
  fsck(argument: _strata_cas_v1_FsckRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_FsckResponse__Output>): grpc.ClientUnaryCall;
  fsck(argument: _strata_cas_v1_FsckRequest, callback: grpc.requestCallback<_strata_cas_v1_FsckResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * The content-defined chunking the store uses, so a client can cut its
   * own files the same way and find out which chunks the store has.
   */
  GetChunking(argument: _strata_cas_v1_GetChunkingRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_GetChunkingResponse__Output>): grpc.ClientUnaryCall;
  GetChunking(argument: _strata_cas_v1_GetChunkingRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_strata_cas_v1_GetChunkingResponse__Output>): grpc.ClientUnaryCall;
  GetChunking(argument: _strata_cas_v1_GetChunkingRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_GetChunkingResponse__Output>): grpc.ClientUnaryCall;
  GetChunking(argument: _strata_cas_v1_GetChunkingRequest, callback: grpc.requestCallback<_strata_cas_v1_GetChunkingResponse__Output>): grpc.ClientUnaryCall;
  /**
   * The content-defined chunking the store uses, so a client can cut its
   * own files the same way and find out which chunks the store has.
   */
  getChunking(argument: _strata_cas_v1_GetChunkingRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_GetChunkingResponse__Output>): grpc.ClientUnaryCall;
  getChunking(argument: _strata_cas_v1_GetChunkingRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_strata_cas_v1_GetChunkingResponse__Output>): grpc.ClientUnaryCall;
  getChunking(argument: _strata_cas_v1_GetChunkingRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_GetChunkingResponse__Output>): grpc.ClientUnaryCall;
  getChunking(argument: _strata_cas_v1_GetChunkingRequest, callback: grpc.requestCallback<_strata_cas_v1_GetChunkingResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * A blob as its ordered chunks. NOT_FOUND when absent. Idempotent.
   */
  GetRecipe(argument: _strata_cas_v1_GetRecipeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_GetRecipeResponse__Output>): grpc.ClientUnaryCall;
  GetRecipe(argument: _strata_cas_v1_GetRecipeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_strata_cas_v1_GetRecipeResponse__Output>): grpc.ClientUnaryCall;
  GetRecipe(argument: _strata_cas_v1_GetRecipeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_GetRecipeResponse__Output>): grpc.ClientUnaryCall;
  GetRecipe(argument: _strata_cas_v1_GetRecipeRequest, callback: grpc.requestCallback<_strata_cas_v1_GetRecipeResponse__Output>): grpc.ClientUnaryCall;
  /**
   * A blob as its ordered chunks. NOT_FOUND when absent. Idempotent.
   */
  getRecipe(argument: _strata_cas_v1_GetRecipeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_GetRecipeResponse__Output>): grpc.ClientUnaryCall;
  getRecipe(argument: _strata_cas_v1_GetRecipeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_strata_cas_v1_GetRecipeResponse__Output>): grpc.ClientUnaryCall;
  getRecipe(argument: _strata_cas_v1_GetRecipeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_GetRecipeResponse__Output>): grpc.ClientUnaryCall;
  getRecipe(argument: _strata_cas_v1_GetRecipeRequest, callback: grpc.requestCallback<_strata_cas_v1_GetRecipeResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Every blob the store holds, in digest order, streamed in batches.
   */
  List(argument: _strata_cas_v1_ListRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_strata_cas_v1_ListResponse__Output>;
  List(argument: _strata_cas_v1_ListRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_strata_cas_v1_ListResponse__Output>;
  /**
   * Every blob the store holds, in digest order, streamed in batches.
   */
  list(argument: _strata_cas_v1_ListRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_strata_cas_v1_ListResponse__Output>;
  list(argument: _strata_cas_v1_ListRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_strata_cas_v1_ListResponse__Output>;
  
  /**
   * The live leases.
   */
  ListLeases(argument: _strata_cas_v1_ListLeasesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_ListLeasesResponse__Output>): grpc.ClientUnaryCall;
  ListLeases(argument: _strata_cas_v1_ListLeasesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_strata_cas_v1_ListLeasesResponse__Output>): grpc.ClientUnaryCall;
  ListLeases(argument: _strata_cas_v1_ListLeasesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_ListLeasesResponse__Output>): grpc.ClientUnaryCall;
  ListLeases(argument: _strata_cas_v1_ListLeasesRequest, callback: grpc.requestCallback<_strata_cas_v1_ListLeasesResponse__Output>): grpc.ClientUnaryCall;
  /**
   * The live leases.
   */
  listLeases(argument: _strata_cas_v1_ListLeasesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_ListLeasesResponse__Output>): grpc.ClientUnaryCall;
  listLeases(argument: _strata_cas_v1_ListLeasesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_strata_cas_v1_ListLeasesResponse__Output>): grpc.ClientUnaryCall;
  listLeases(argument: _strata_cas_v1_ListLeasesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_ListLeasesResponse__Output>): grpc.ClientUnaryCall;
  listLeases(argument: _strata_cas_v1_ListLeasesRequest, callback: grpc.requestCallback<_strata_cas_v1_ListLeasesResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Every write in progress, by ref.
   */
  ListStatuses(argument: _strata_cas_v1_ListStatusesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_ListStatusesResponse__Output>): grpc.ClientUnaryCall;
  ListStatuses(argument: _strata_cas_v1_ListStatusesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_strata_cas_v1_ListStatusesResponse__Output>): grpc.ClientUnaryCall;
  ListStatuses(argument: _strata_cas_v1_ListStatusesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_ListStatusesResponse__Output>): grpc.ClientUnaryCall;
  ListStatuses(argument: _strata_cas_v1_ListStatusesRequest, callback: grpc.requestCallback<_strata_cas_v1_ListStatusesResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Every write in progress, by ref.
   */
  listStatuses(argument: _strata_cas_v1_ListStatusesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_ListStatusesResponse__Output>): grpc.ClientUnaryCall;
  listStatuses(argument: _strata_cas_v1_ListStatusesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_strata_cas_v1_ListStatusesResponse__Output>): grpc.ClientUnaryCall;
  listStatuses(argument: _strata_cas_v1_ListStatusesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_ListStatusesResponse__Output>): grpc.ClientUnaryCall;
  listStatuses(argument: _strata_cas_v1_ListStatusesRequest, callback: grpc.requestCallback<_strata_cas_v1_ListStatusesResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Stores chunks, streamed one or more per request. Each chunk is checked
   * against its digest when one is given (FAILED_PRECONDITION with
   * strata-error-code DigestMismatch otherwise). Chunks are garbage until a
   * recipe uses them: put them under a lease.
   */
  PutChunks(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_PutChunksResponse__Output>): grpc.ClientWritableStream<_strata_cas_v1_PutChunksRequest>;
  PutChunks(metadata: grpc.Metadata, callback: grpc.requestCallback<_strata_cas_v1_PutChunksResponse__Output>): grpc.ClientWritableStream<_strata_cas_v1_PutChunksRequest>;
  PutChunks(options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_PutChunksResponse__Output>): grpc.ClientWritableStream<_strata_cas_v1_PutChunksRequest>;
  PutChunks(callback: grpc.requestCallback<_strata_cas_v1_PutChunksResponse__Output>): grpc.ClientWritableStream<_strata_cas_v1_PutChunksRequest>;
  /**
   * Stores chunks, streamed one or more per request. Each chunk is checked
   * against its digest when one is given (FAILED_PRECONDITION with
   * strata-error-code DigestMismatch otherwise). Chunks are garbage until a
   * recipe uses them: put them under a lease.
   */
  putChunks(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_PutChunksResponse__Output>): grpc.ClientWritableStream<_strata_cas_v1_PutChunksRequest>;
  putChunks(metadata: grpc.Metadata, callback: grpc.requestCallback<_strata_cas_v1_PutChunksResponse__Output>): grpc.ClientWritableStream<_strata_cas_v1_PutChunksRequest>;
  putChunks(options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_PutChunksResponse__Output>): grpc.ClientWritableStream<_strata_cas_v1_PutChunksRequest>;
  putChunks(callback: grpc.requestCallback<_strata_cas_v1_PutChunksResponse__Output>): grpc.ClientWritableStream<_strata_cas_v1_PutChunksRequest>;
  
  /**
   * Streams a blob, or a byte range of it. Before the first message the
   * server sends response headers describing the read (`strata-blob-size`,
   * `strata-blob-created-ms`, `strata-read-offset`, `strata-read-length`),
   * so a client knows the blob exists and the range is valid before any
   * byte arrives. NOT_FOUND when absent, OUT_OF_RANGE when `offset` is past
   * the end, DATA_LOSS when stored content is damaged (never served).
   * The server writes no faster than the client reads.
   */
  Read(argument: _strata_cas_v1_ReadRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_strata_cas_v1_ReadResponse__Output>;
  Read(argument: _strata_cas_v1_ReadRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_strata_cas_v1_ReadResponse__Output>;
  /**
   * Streams a blob, or a byte range of it. Before the first message the
   * server sends response headers describing the read (`strata-blob-size`,
   * `strata-blob-created-ms`, `strata-read-offset`, `strata-read-length`),
   * so a client knows the blob exists and the range is valid before any
   * byte arrives. NOT_FOUND when absent, OUT_OF_RANGE when `offset` is past
   * the end, DATA_LOSS when stored content is damaged (never served).
   * The server writes no faster than the client reads.
   */
  read(argument: _strata_cas_v1_ReadRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_strata_cas_v1_ReadResponse__Output>;
  read(argument: _strata_cas_v1_ReadRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_strata_cas_v1_ReadResponse__Output>;
  
  /**
   * Raw bytes of chunks, in the order asked. NOT_FOUND for a chunk the store
   * lacks.
   */
  ReadChunks(argument: _strata_cas_v1_ReadChunksRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_strata_cas_v1_ReadChunksResponse__Output>;
  ReadChunks(argument: _strata_cas_v1_ReadChunksRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_strata_cas_v1_ReadChunksResponse__Output>;
  /**
   * Raw bytes of chunks, in the order asked. NOT_FOUND for a chunk the store
   * lacks.
   */
  readChunks(argument: _strata_cas_v1_ReadChunksRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_strata_cas_v1_ReadChunksResponse__Output>;
  readChunks(argument: _strata_cas_v1_ReadChunksRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_strata_cas_v1_ReadChunksResponse__Output>;
  
  /**
   * Ends a lease. NOT_FOUND when absent.
   */
  ReleaseLease(argument: _strata_cas_v1_ReleaseLeaseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_ReleaseLeaseResponse__Output>): grpc.ClientUnaryCall;
  ReleaseLease(argument: _strata_cas_v1_ReleaseLeaseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_strata_cas_v1_ReleaseLeaseResponse__Output>): grpc.ClientUnaryCall;
  ReleaseLease(argument: _strata_cas_v1_ReleaseLeaseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_ReleaseLeaseResponse__Output>): grpc.ClientUnaryCall;
  ReleaseLease(argument: _strata_cas_v1_ReleaseLeaseRequest, callback: grpc.requestCallback<_strata_cas_v1_ReleaseLeaseResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Ends a lease. NOT_FOUND when absent.
   */
  releaseLease(argument: _strata_cas_v1_ReleaseLeaseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_ReleaseLeaseResponse__Output>): grpc.ClientUnaryCall;
  releaseLease(argument: _strata_cas_v1_ReleaseLeaseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_strata_cas_v1_ReleaseLeaseResponse__Output>): grpc.ClientUnaryCall;
  releaseLease(argument: _strata_cas_v1_ReleaseLeaseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_ReleaseLeaseResponse__Output>): grpc.ClientUnaryCall;
  releaseLease(argument: _strata_cas_v1_ReleaseLeaseRequest, callback: grpc.requestCallback<_strata_cas_v1_ReleaseLeaseResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Size and creation time of one blob. NOT_FOUND when absent. Idempotent.
   */
  Stat(argument: _strata_cas_v1_StatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_StatResponse__Output>): grpc.ClientUnaryCall;
  Stat(argument: _strata_cas_v1_StatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_strata_cas_v1_StatResponse__Output>): grpc.ClientUnaryCall;
  Stat(argument: _strata_cas_v1_StatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_StatResponse__Output>): grpc.ClientUnaryCall;
  Stat(argument: _strata_cas_v1_StatRequest, callback: grpc.requestCallback<_strata_cas_v1_StatResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Size and creation time of one blob. NOT_FOUND when absent. Idempotent.
   */
  stat(argument: _strata_cas_v1_StatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_StatResponse__Output>): grpc.ClientUnaryCall;
  stat(argument: _strata_cas_v1_StatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_strata_cas_v1_StatResponse__Output>): grpc.ClientUnaryCall;
  stat(argument: _strata_cas_v1_StatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_StatResponse__Output>): grpc.ClientUnaryCall;
  stat(argument: _strata_cas_v1_StatRequest, callback: grpc.requestCallback<_strata_cas_v1_StatResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Space and dedup figures.
   */
  Stats(argument: _strata_cas_v1_StatsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_StatsResponse__Output>): grpc.ClientUnaryCall;
  Stats(argument: _strata_cas_v1_StatsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_strata_cas_v1_StatsResponse__Output>): grpc.ClientUnaryCall;
  Stats(argument: _strata_cas_v1_StatsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_StatsResponse__Output>): grpc.ClientUnaryCall;
  Stats(argument: _strata_cas_v1_StatsRequest, callback: grpc.requestCallback<_strata_cas_v1_StatsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Space and dedup figures.
   */
  stats(argument: _strata_cas_v1_StatsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_StatsResponse__Output>): grpc.ClientUnaryCall;
  stats(argument: _strata_cas_v1_StatsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_strata_cas_v1_StatsResponse__Output>): grpc.ClientUnaryCall;
  stats(argument: _strata_cas_v1_StatsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_StatsResponse__Output>): grpc.ClientUnaryCall;
  stats(argument: _strata_cas_v1_StatsRequest, callback: grpc.requestCallback<_strata_cas_v1_StatsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * The state of the write in progress under a ref. NOT_FOUND when none.
   */
  Status(argument: _strata_cas_v1_StatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _strata_cas_v1_StatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_strata_cas_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _strata_cas_v1_StatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _strata_cas_v1_StatusRequest, callback: grpc.requestCallback<_strata_cas_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  /**
   * The state of the write in progress under a ref. NOT_FOUND when none.
   */
  status(argument: _strata_cas_v1_StatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _strata_cas_v1_StatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_strata_cas_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _strata_cas_v1_StatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_strata_cas_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _strata_cas_v1_StatusRequest, callback: grpc.requestCallback<_strata_cas_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * A write transaction named by a ref, modeled on containerd's content
   * Write. The first request names the ref (and optionally what is
   * expected and a lease) and opens or resumes the transaction: UNAVAILABLE
   * while another stream holds the ref. Then:
   * STAT   answers with the transaction's offset; nothing is written.
   * A client that lost its connection opens a new stream, asks
   * STAT, and continues from the offset it is told.
   * WRITE  appends `data` at `offset`, which must equal the
   * transaction's offset (OUT_OF_RANGE otherwise: the stream ends
   * and the transaction is kept). Not answered, so writes stream
   * without a round trip each.
   * COMMIT checks size and digest against what is expected, makes the
   * blob durable and visible, answers, and ends the stream.
   * FAILED_PRECONDITION (strata-error-code DigestMismatch or
   * SizeMismatch) stores nothing and ends the transaction.
   * A stream that ends without COMMIT (half-closed, cancelled, or its
   * connection lost) leaves the transaction saved at its offset, so that a
   * later Write with the same ref resumes it. Use Abort to drop it.
   */
  Write(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_strata_cas_v1_WriteRequest, _strata_cas_v1_WriteResponse__Output>;
  Write(options?: grpc.CallOptions): grpc.ClientDuplexStream<_strata_cas_v1_WriteRequest, _strata_cas_v1_WriteResponse__Output>;
  /**
   * A write transaction named by a ref, modeled on containerd's content
   * Write. The first request names the ref (and optionally what is
   * expected and a lease) and opens or resumes the transaction: UNAVAILABLE
   * while another stream holds the ref. Then:
   * STAT   answers with the transaction's offset; nothing is written.
   * A client that lost its connection opens a new stream, asks
   * STAT, and continues from the offset it is told.
   * WRITE  appends `data` at `offset`, which must equal the
   * transaction's offset (OUT_OF_RANGE otherwise: the stream ends
   * and the transaction is kept). Not answered, so writes stream
   * without a round trip each.
   * COMMIT checks size and digest against what is expected, makes the
   * blob durable and visible, answers, and ends the stream.
   * FAILED_PRECONDITION (strata-error-code DigestMismatch or
   * SizeMismatch) stores nothing and ends the transaction.
   * A stream that ends without COMMIT (half-closed, cancelled, or its
   * connection lost) leaves the transaction saved at its offset, so that a
   * later Write with the same ref resumes it. Use Abort to drop it.
   */
  write(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_strata_cas_v1_WriteRequest, _strata_cas_v1_WriteResponse__Output>;
  write(options?: grpc.CallOptions): grpc.ClientDuplexStream<_strata_cas_v1_WriteRequest, _strata_cas_v1_WriteResponse__Output>;
  
}

export interface ContentStoreHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Ends the write under a ref and drops its bytes. Idempotent: unknown refs
   * succeed.
   */
  Abort: grpc.handleUnaryCall<_strata_cas_v1_AbortRequest__Output, _strata_cas_v1_AbortResponse>;
  
  /**
   * Online garbage collection: removes chunks nothing references (blobs,
   * live leases, open or saved writes) and compacts sparse packs, while
   * reads and writes go on. Progress is not streamed; the report comes whole
   * at the end.
   */
  CollectGarbage: grpc.handleUnaryCall<_strata_cas_v1_CollectGarbageRequest__Output, _strata_cas_v1_CollectGarbageResponse>;
  
  /**
   * Commits a blob made of chunks the store holds. FAILED_PRECONDITION with
   * details {"missing": [...]} when some are missing; the assembled content
   * must match the expected digest and size (DigestMismatch / SizeMismatch).
   */
  CommitRecipe: grpc.handleUnaryCall<_strata_cas_v1_CommitRecipeRequest__Output, _strata_cas_v1_CommitRecipeResponse>;
  
  /**
   * Creates a lease: what is added under it is a garbage collection root
   * until it is released or expires. ALREADY_EXISTS when the id is taken.
   */
  CreateLease: grpc.handleUnaryCall<_strata_cas_v1_CreateLeaseRequest__Output, _strata_cas_v1_CreateLeaseResponse>;
  
  /**
   * Deletes a blob: unreadable at once, its unshared chunks become garbage.
   * NOT_FOUND when absent.
   */
  Delete: grpc.handleUnaryCall<_strata_cas_v1_DeleteRequest__Output, _strata_cas_v1_DeleteResponse>;
  
  /**
   * The subset of the given blob digests the store does not hold, in the
   * order given. Idempotent.
   */
  FindMissingBlobs: grpc.handleUnaryCall<_strata_cas_v1_FindMissingBlobsRequest__Output, _strata_cas_v1_FindMissingBlobsResponse>;
  
  /**
   * The subset of the given chunk digests the store lacks, in the order
   * given. Idempotent.
   */
  FindMissingChunks: grpc.handleUnaryCall<_strata_cas_v1_FindMissingChunksRequest__Output, _strata_cas_v1_FindMissingChunksResponse>;
  
  /**
   * Verifies every chunk and recipe. Progress is not streamed; the report
   * comes whole at the end.
   */
  Fsck: grpc.handleUnaryCall<_strata_cas_v1_FsckRequest__Output, _strata_cas_v1_FsckResponse>;
  
  /**
   * The content-defined chunking the store uses, so a client can cut its
   * own files the same way and find out which chunks the store has.
   */
  GetChunking: grpc.handleUnaryCall<_strata_cas_v1_GetChunkingRequest__Output, _strata_cas_v1_GetChunkingResponse>;
  
  /**
   * A blob as its ordered chunks. NOT_FOUND when absent. Idempotent.
   */
  GetRecipe: grpc.handleUnaryCall<_strata_cas_v1_GetRecipeRequest__Output, _strata_cas_v1_GetRecipeResponse>;
  
  /**
   * Every blob the store holds, in digest order, streamed in batches.
   */
  List: grpc.handleServerStreamingCall<_strata_cas_v1_ListRequest__Output, _strata_cas_v1_ListResponse>;
  
  /**
   * The live leases.
   */
  ListLeases: grpc.handleUnaryCall<_strata_cas_v1_ListLeasesRequest__Output, _strata_cas_v1_ListLeasesResponse>;
  
  /**
   * Every write in progress, by ref.
   */
  ListStatuses: grpc.handleUnaryCall<_strata_cas_v1_ListStatusesRequest__Output, _strata_cas_v1_ListStatusesResponse>;
  
  /**
   * Stores chunks, streamed one or more per request. Each chunk is checked
   * against its digest when one is given (FAILED_PRECONDITION with
   * strata-error-code DigestMismatch otherwise). Chunks are garbage until a
   * recipe uses them: put them under a lease.
   */
  PutChunks: grpc.handleClientStreamingCall<_strata_cas_v1_PutChunksRequest__Output, _strata_cas_v1_PutChunksResponse>;
  
  /**
   * Streams a blob, or a byte range of it. Before the first message the
   * server sends response headers describing the read (`strata-blob-size`,
   * `strata-blob-created-ms`, `strata-read-offset`, `strata-read-length`),
   * so a client knows the blob exists and the range is valid before any
   * byte arrives. NOT_FOUND when absent, OUT_OF_RANGE when `offset` is past
   * the end, DATA_LOSS when stored content is damaged (never served).
   * The server writes no faster than the client reads.
   */
  Read: grpc.handleServerStreamingCall<_strata_cas_v1_ReadRequest__Output, _strata_cas_v1_ReadResponse>;
  
  /**
   * Raw bytes of chunks, in the order asked. NOT_FOUND for a chunk the store
   * lacks.
   */
  ReadChunks: grpc.handleServerStreamingCall<_strata_cas_v1_ReadChunksRequest__Output, _strata_cas_v1_ReadChunksResponse>;
  
  /**
   * Ends a lease. NOT_FOUND when absent.
   */
  ReleaseLease: grpc.handleUnaryCall<_strata_cas_v1_ReleaseLeaseRequest__Output, _strata_cas_v1_ReleaseLeaseResponse>;
  
  /**
   * Size and creation time of one blob. NOT_FOUND when absent. Idempotent.
   */
  Stat: grpc.handleUnaryCall<_strata_cas_v1_StatRequest__Output, _strata_cas_v1_StatResponse>;
  
  /**
   * Space and dedup figures.
   */
  Stats: grpc.handleUnaryCall<_strata_cas_v1_StatsRequest__Output, _strata_cas_v1_StatsResponse>;
  
  /**
   * The state of the write in progress under a ref. NOT_FOUND when none.
   */
  Status: grpc.handleUnaryCall<_strata_cas_v1_StatusRequest__Output, _strata_cas_v1_StatusResponse>;
  
  /**
   * A write transaction named by a ref, modeled on containerd's content
   * Write. The first request names the ref (and optionally what is
   * expected and a lease) and opens or resumes the transaction: UNAVAILABLE
   * while another stream holds the ref. Then:
   * STAT   answers with the transaction's offset; nothing is written.
   * A client that lost its connection opens a new stream, asks
   * STAT, and continues from the offset it is told.
   * WRITE  appends `data` at `offset`, which must equal the
   * transaction's offset (OUT_OF_RANGE otherwise: the stream ends
   * and the transaction is kept). Not answered, so writes stream
   * without a round trip each.
   * COMMIT checks size and digest against what is expected, makes the
   * blob durable and visible, answers, and ends the stream.
   * FAILED_PRECONDITION (strata-error-code DigestMismatch or
   * SizeMismatch) stores nothing and ends the transaction.
   * A stream that ends without COMMIT (half-closed, cancelled, or its
   * connection lost) leaves the transaction saved at its offset, so that a
   * later Write with the same ref resumes it. Use Abort to drop it.
   */
  Write: grpc.handleBidiStreamingCall<_strata_cas_v1_WriteRequest__Output, _strata_cas_v1_WriteResponse>;
  
}

export interface ContentStoreDefinition extends grpc.ServiceDefinition {
  Abort: MethodDefinition<_strata_cas_v1_AbortRequest, _strata_cas_v1_AbortResponse, _strata_cas_v1_AbortRequest__Output, _strata_cas_v1_AbortResponse__Output>
  CollectGarbage: MethodDefinition<_strata_cas_v1_CollectGarbageRequest, _strata_cas_v1_CollectGarbageResponse, _strata_cas_v1_CollectGarbageRequest__Output, _strata_cas_v1_CollectGarbageResponse__Output>
  CommitRecipe: MethodDefinition<_strata_cas_v1_CommitRecipeRequest, _strata_cas_v1_CommitRecipeResponse, _strata_cas_v1_CommitRecipeRequest__Output, _strata_cas_v1_CommitRecipeResponse__Output>
  CreateLease: MethodDefinition<_strata_cas_v1_CreateLeaseRequest, _strata_cas_v1_CreateLeaseResponse, _strata_cas_v1_CreateLeaseRequest__Output, _strata_cas_v1_CreateLeaseResponse__Output>
  Delete: MethodDefinition<_strata_cas_v1_DeleteRequest, _strata_cas_v1_DeleteResponse, _strata_cas_v1_DeleteRequest__Output, _strata_cas_v1_DeleteResponse__Output>
  FindMissingBlobs: MethodDefinition<_strata_cas_v1_FindMissingBlobsRequest, _strata_cas_v1_FindMissingBlobsResponse, _strata_cas_v1_FindMissingBlobsRequest__Output, _strata_cas_v1_FindMissingBlobsResponse__Output>
  FindMissingChunks: MethodDefinition<_strata_cas_v1_FindMissingChunksRequest, _strata_cas_v1_FindMissingChunksResponse, _strata_cas_v1_FindMissingChunksRequest__Output, _strata_cas_v1_FindMissingChunksResponse__Output>
  Fsck: MethodDefinition<_strata_cas_v1_FsckRequest, _strata_cas_v1_FsckResponse, _strata_cas_v1_FsckRequest__Output, _strata_cas_v1_FsckResponse__Output>
  GetChunking: MethodDefinition<_strata_cas_v1_GetChunkingRequest, _strata_cas_v1_GetChunkingResponse, _strata_cas_v1_GetChunkingRequest__Output, _strata_cas_v1_GetChunkingResponse__Output>
  GetRecipe: MethodDefinition<_strata_cas_v1_GetRecipeRequest, _strata_cas_v1_GetRecipeResponse, _strata_cas_v1_GetRecipeRequest__Output, _strata_cas_v1_GetRecipeResponse__Output>
  List: MethodDefinition<_strata_cas_v1_ListRequest, _strata_cas_v1_ListResponse, _strata_cas_v1_ListRequest__Output, _strata_cas_v1_ListResponse__Output>
  ListLeases: MethodDefinition<_strata_cas_v1_ListLeasesRequest, _strata_cas_v1_ListLeasesResponse, _strata_cas_v1_ListLeasesRequest__Output, _strata_cas_v1_ListLeasesResponse__Output>
  ListStatuses: MethodDefinition<_strata_cas_v1_ListStatusesRequest, _strata_cas_v1_ListStatusesResponse, _strata_cas_v1_ListStatusesRequest__Output, _strata_cas_v1_ListStatusesResponse__Output>
  PutChunks: MethodDefinition<_strata_cas_v1_PutChunksRequest, _strata_cas_v1_PutChunksResponse, _strata_cas_v1_PutChunksRequest__Output, _strata_cas_v1_PutChunksResponse__Output>
  Read: MethodDefinition<_strata_cas_v1_ReadRequest, _strata_cas_v1_ReadResponse, _strata_cas_v1_ReadRequest__Output, _strata_cas_v1_ReadResponse__Output>
  ReadChunks: MethodDefinition<_strata_cas_v1_ReadChunksRequest, _strata_cas_v1_ReadChunksResponse, _strata_cas_v1_ReadChunksRequest__Output, _strata_cas_v1_ReadChunksResponse__Output>
  ReleaseLease: MethodDefinition<_strata_cas_v1_ReleaseLeaseRequest, _strata_cas_v1_ReleaseLeaseResponse, _strata_cas_v1_ReleaseLeaseRequest__Output, _strata_cas_v1_ReleaseLeaseResponse__Output>
  Stat: MethodDefinition<_strata_cas_v1_StatRequest, _strata_cas_v1_StatResponse, _strata_cas_v1_StatRequest__Output, _strata_cas_v1_StatResponse__Output>
  Stats: MethodDefinition<_strata_cas_v1_StatsRequest, _strata_cas_v1_StatsResponse, _strata_cas_v1_StatsRequest__Output, _strata_cas_v1_StatsResponse__Output>
  Status: MethodDefinition<_strata_cas_v1_StatusRequest, _strata_cas_v1_StatusResponse, _strata_cas_v1_StatusRequest__Output, _strata_cas_v1_StatusResponse__Output>
  Write: MethodDefinition<_strata_cas_v1_WriteRequest, _strata_cas_v1_WriteResponse, _strata_cas_v1_WriteRequest__Output, _strata_cas_v1_WriteResponse__Output>
}
