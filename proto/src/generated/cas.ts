import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { AbortRequest as _strata_cas_v1_AbortRequest, AbortRequest__Output as _strata_cas_v1_AbortRequest__Output } from './strata/cas/v1/AbortRequest.ts';
import type { AbortResponse as _strata_cas_v1_AbortResponse, AbortResponse__Output as _strata_cas_v1_AbortResponse__Output } from './strata/cas/v1/AbortResponse.ts';
import type { BlobStat as _strata_cas_v1_BlobStat, BlobStat__Output as _strata_cas_v1_BlobStat__Output } from './strata/cas/v1/BlobStat.ts';
import type { ChunkData as _strata_cas_v1_ChunkData, ChunkData__Output as _strata_cas_v1_ChunkData__Output } from './strata/cas/v1/ChunkData.ts';
import type { ChunkRef as _strata_cas_v1_ChunkRef, ChunkRef__Output as _strata_cas_v1_ChunkRef__Output } from './strata/cas/v1/ChunkRef.ts';
import type { CollectGarbageRequest as _strata_cas_v1_CollectGarbageRequest, CollectGarbageRequest__Output as _strata_cas_v1_CollectGarbageRequest__Output } from './strata/cas/v1/CollectGarbageRequest.ts';
import type { CollectGarbageResponse as _strata_cas_v1_CollectGarbageResponse, CollectGarbageResponse__Output as _strata_cas_v1_CollectGarbageResponse__Output } from './strata/cas/v1/CollectGarbageResponse.ts';
import type { CommitRecipeRequest as _strata_cas_v1_CommitRecipeRequest, CommitRecipeRequest__Output as _strata_cas_v1_CommitRecipeRequest__Output } from './strata/cas/v1/CommitRecipeRequest.ts';
import type { CommitRecipeResponse as _strata_cas_v1_CommitRecipeResponse, CommitRecipeResponse__Output as _strata_cas_v1_CommitRecipeResponse__Output } from './strata/cas/v1/CommitRecipeResponse.ts';
import type { ContentStoreClient as _strata_cas_v1_ContentStoreClient, ContentStoreDefinition as _strata_cas_v1_ContentStoreDefinition } from './strata/cas/v1/ContentStore.ts';
import type { CreateLeaseRequest as _strata_cas_v1_CreateLeaseRequest, CreateLeaseRequest__Output as _strata_cas_v1_CreateLeaseRequest__Output } from './strata/cas/v1/CreateLeaseRequest.ts';
import type { CreateLeaseResponse as _strata_cas_v1_CreateLeaseResponse, CreateLeaseResponse__Output as _strata_cas_v1_CreateLeaseResponse__Output } from './strata/cas/v1/CreateLeaseResponse.ts';
import type { DeleteRequest as _strata_cas_v1_DeleteRequest, DeleteRequest__Output as _strata_cas_v1_DeleteRequest__Output } from './strata/cas/v1/DeleteRequest.ts';
import type { DeleteResponse as _strata_cas_v1_DeleteResponse, DeleteResponse__Output as _strata_cas_v1_DeleteResponse__Output } from './strata/cas/v1/DeleteResponse.ts';
import type { ExpandedLayer as _strata_cas_v1_ExpandedLayer, ExpandedLayer__Output as _strata_cas_v1_ExpandedLayer__Output } from './strata/cas/v1/ExpandedLayer.ts';
import type { FindMissingBlobsRequest as _strata_cas_v1_FindMissingBlobsRequest, FindMissingBlobsRequest__Output as _strata_cas_v1_FindMissingBlobsRequest__Output } from './strata/cas/v1/FindMissingBlobsRequest.ts';
import type { FindMissingBlobsResponse as _strata_cas_v1_FindMissingBlobsResponse, FindMissingBlobsResponse__Output as _strata_cas_v1_FindMissingBlobsResponse__Output } from './strata/cas/v1/FindMissingBlobsResponse.ts';
import type { FindMissingChunksRequest as _strata_cas_v1_FindMissingChunksRequest, FindMissingChunksRequest__Output as _strata_cas_v1_FindMissingChunksRequest__Output } from './strata/cas/v1/FindMissingChunksRequest.ts';
import type { FindMissingChunksResponse as _strata_cas_v1_FindMissingChunksResponse, FindMissingChunksResponse__Output as _strata_cas_v1_FindMissingChunksResponse__Output } from './strata/cas/v1/FindMissingChunksResponse.ts';
import type { FsckDamage as _strata_cas_v1_FsckDamage, FsckDamage__Output as _strata_cas_v1_FsckDamage__Output } from './strata/cas/v1/FsckDamage.ts';
import type { FsckRequest as _strata_cas_v1_FsckRequest, FsckRequest__Output as _strata_cas_v1_FsckRequest__Output } from './strata/cas/v1/FsckRequest.ts';
import type { FsckResponse as _strata_cas_v1_FsckResponse, FsckResponse__Output as _strata_cas_v1_FsckResponse__Output } from './strata/cas/v1/FsckResponse.ts';
import type { GetChunkingRequest as _strata_cas_v1_GetChunkingRequest, GetChunkingRequest__Output as _strata_cas_v1_GetChunkingRequest__Output } from './strata/cas/v1/GetChunkingRequest.ts';
import type { GetChunkingResponse as _strata_cas_v1_GetChunkingResponse, GetChunkingResponse__Output as _strata_cas_v1_GetChunkingResponse__Output } from './strata/cas/v1/GetChunkingResponse.ts';
import type { GetRecipeRequest as _strata_cas_v1_GetRecipeRequest, GetRecipeRequest__Output as _strata_cas_v1_GetRecipeRequest__Output } from './strata/cas/v1/GetRecipeRequest.ts';
import type { GetRecipeResponse as _strata_cas_v1_GetRecipeResponse, GetRecipeResponse__Output as _strata_cas_v1_GetRecipeResponse__Output } from './strata/cas/v1/GetRecipeResponse.ts';
import type { IngestStatus as _strata_cas_v1_IngestStatus, IngestStatus__Output as _strata_cas_v1_IngestStatus__Output } from './strata/cas/v1/IngestStatus.ts';
import type { Lease as _strata_cas_v1_Lease, Lease__Output as _strata_cas_v1_Lease__Output } from './strata/cas/v1/Lease.ts';
import type { ListLeasesRequest as _strata_cas_v1_ListLeasesRequest, ListLeasesRequest__Output as _strata_cas_v1_ListLeasesRequest__Output } from './strata/cas/v1/ListLeasesRequest.ts';
import type { ListLeasesResponse as _strata_cas_v1_ListLeasesResponse, ListLeasesResponse__Output as _strata_cas_v1_ListLeasesResponse__Output } from './strata/cas/v1/ListLeasesResponse.ts';
import type { ListRequest as _strata_cas_v1_ListRequest, ListRequest__Output as _strata_cas_v1_ListRequest__Output } from './strata/cas/v1/ListRequest.ts';
import type { ListResponse as _strata_cas_v1_ListResponse, ListResponse__Output as _strata_cas_v1_ListResponse__Output } from './strata/cas/v1/ListResponse.ts';
import type { ListStatusesRequest as _strata_cas_v1_ListStatusesRequest, ListStatusesRequest__Output as _strata_cas_v1_ListStatusesRequest__Output } from './strata/cas/v1/ListStatusesRequest.ts';
import type { ListStatusesResponse as _strata_cas_v1_ListStatusesResponse, ListStatusesResponse__Output as _strata_cas_v1_ListStatusesResponse__Output } from './strata/cas/v1/ListStatusesResponse.ts';
import type { PutChunksRequest as _strata_cas_v1_PutChunksRequest, PutChunksRequest__Output as _strata_cas_v1_PutChunksRequest__Output } from './strata/cas/v1/PutChunksRequest.ts';
import type { PutChunksResponse as _strata_cas_v1_PutChunksResponse, PutChunksResponse__Output as _strata_cas_v1_PutChunksResponse__Output } from './strata/cas/v1/PutChunksResponse.ts';
import type { ReadChunksRequest as _strata_cas_v1_ReadChunksRequest, ReadChunksRequest__Output as _strata_cas_v1_ReadChunksRequest__Output } from './strata/cas/v1/ReadChunksRequest.ts';
import type { ReadChunksResponse as _strata_cas_v1_ReadChunksResponse, ReadChunksResponse__Output as _strata_cas_v1_ReadChunksResponse__Output } from './strata/cas/v1/ReadChunksResponse.ts';
import type { ReadRequest as _strata_cas_v1_ReadRequest, ReadRequest__Output as _strata_cas_v1_ReadRequest__Output } from './strata/cas/v1/ReadRequest.ts';
import type { ReadResponse as _strata_cas_v1_ReadResponse, ReadResponse__Output as _strata_cas_v1_ReadResponse__Output } from './strata/cas/v1/ReadResponse.ts';
import type { ReleaseLeaseRequest as _strata_cas_v1_ReleaseLeaseRequest, ReleaseLeaseRequest__Output as _strata_cas_v1_ReleaseLeaseRequest__Output } from './strata/cas/v1/ReleaseLeaseRequest.ts';
import type { ReleaseLeaseResponse as _strata_cas_v1_ReleaseLeaseResponse, ReleaseLeaseResponse__Output as _strata_cas_v1_ReleaseLeaseResponse__Output } from './strata/cas/v1/ReleaseLeaseResponse.ts';
import type { StatRequest as _strata_cas_v1_StatRequest, StatRequest__Output as _strata_cas_v1_StatRequest__Output } from './strata/cas/v1/StatRequest.ts';
import type { StatResponse as _strata_cas_v1_StatResponse, StatResponse__Output as _strata_cas_v1_StatResponse__Output } from './strata/cas/v1/StatResponse.ts';
import type { StatsRequest as _strata_cas_v1_StatsRequest, StatsRequest__Output as _strata_cas_v1_StatsRequest__Output } from './strata/cas/v1/StatsRequest.ts';
import type { StatsResponse as _strata_cas_v1_StatsResponse, StatsResponse__Output as _strata_cas_v1_StatsResponse__Output } from './strata/cas/v1/StatsResponse.ts';
import type { StatusRequest as _strata_cas_v1_StatusRequest, StatusRequest__Output as _strata_cas_v1_StatusRequest__Output } from './strata/cas/v1/StatusRequest.ts';
import type { StatusResponse as _strata_cas_v1_StatusResponse, StatusResponse__Output as _strata_cas_v1_StatusResponse__Output } from './strata/cas/v1/StatusResponse.ts';
import type { WriteRequest as _strata_cas_v1_WriteRequest, WriteRequest__Output as _strata_cas_v1_WriteRequest__Output } from './strata/cas/v1/WriteRequest.ts';
import type { WriteResponse as _strata_cas_v1_WriteResponse, WriteResponse__Output as _strata_cas_v1_WriteResponse__Output } from './strata/cas/v1/WriteResponse.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  strata: {
    cas: {
      v1: {
        AbortRequest: MessageTypeDefinition<_strata_cas_v1_AbortRequest, _strata_cas_v1_AbortRequest__Output>
        AbortResponse: MessageTypeDefinition<_strata_cas_v1_AbortResponse, _strata_cas_v1_AbortResponse__Output>
        BlobStat: MessageTypeDefinition<_strata_cas_v1_BlobStat, _strata_cas_v1_BlobStat__Output>
        ChunkData: MessageTypeDefinition<_strata_cas_v1_ChunkData, _strata_cas_v1_ChunkData__Output>
        ChunkRef: MessageTypeDefinition<_strata_cas_v1_ChunkRef, _strata_cas_v1_ChunkRef__Output>
        CollectGarbageRequest: MessageTypeDefinition<_strata_cas_v1_CollectGarbageRequest, _strata_cas_v1_CollectGarbageRequest__Output>
        CollectGarbageResponse: MessageTypeDefinition<_strata_cas_v1_CollectGarbageResponse, _strata_cas_v1_CollectGarbageResponse__Output>
        CommitRecipeRequest: MessageTypeDefinition<_strata_cas_v1_CommitRecipeRequest, _strata_cas_v1_CommitRecipeRequest__Output>
        CommitRecipeResponse: MessageTypeDefinition<_strata_cas_v1_CommitRecipeResponse, _strata_cas_v1_CommitRecipeResponse__Output>
        ContentStore: SubtypeConstructor<typeof grpc.Client, _strata_cas_v1_ContentStoreClient> & { service: _strata_cas_v1_ContentStoreDefinition }
        CreateLeaseRequest: MessageTypeDefinition<_strata_cas_v1_CreateLeaseRequest, _strata_cas_v1_CreateLeaseRequest__Output>
        CreateLeaseResponse: MessageTypeDefinition<_strata_cas_v1_CreateLeaseResponse, _strata_cas_v1_CreateLeaseResponse__Output>
        DeleteRequest: MessageTypeDefinition<_strata_cas_v1_DeleteRequest, _strata_cas_v1_DeleteRequest__Output>
        DeleteResponse: MessageTypeDefinition<_strata_cas_v1_DeleteResponse, _strata_cas_v1_DeleteResponse__Output>
        ExpandedLayer: MessageTypeDefinition<_strata_cas_v1_ExpandedLayer, _strata_cas_v1_ExpandedLayer__Output>
        FindMissingBlobsRequest: MessageTypeDefinition<_strata_cas_v1_FindMissingBlobsRequest, _strata_cas_v1_FindMissingBlobsRequest__Output>
        FindMissingBlobsResponse: MessageTypeDefinition<_strata_cas_v1_FindMissingBlobsResponse, _strata_cas_v1_FindMissingBlobsResponse__Output>
        FindMissingChunksRequest: MessageTypeDefinition<_strata_cas_v1_FindMissingChunksRequest, _strata_cas_v1_FindMissingChunksRequest__Output>
        FindMissingChunksResponse: MessageTypeDefinition<_strata_cas_v1_FindMissingChunksResponse, _strata_cas_v1_FindMissingChunksResponse__Output>
        FsckDamage: MessageTypeDefinition<_strata_cas_v1_FsckDamage, _strata_cas_v1_FsckDamage__Output>
        FsckRequest: MessageTypeDefinition<_strata_cas_v1_FsckRequest, _strata_cas_v1_FsckRequest__Output>
        FsckResponse: MessageTypeDefinition<_strata_cas_v1_FsckResponse, _strata_cas_v1_FsckResponse__Output>
        GetChunkingRequest: MessageTypeDefinition<_strata_cas_v1_GetChunkingRequest, _strata_cas_v1_GetChunkingRequest__Output>
        GetChunkingResponse: MessageTypeDefinition<_strata_cas_v1_GetChunkingResponse, _strata_cas_v1_GetChunkingResponse__Output>
        GetRecipeRequest: MessageTypeDefinition<_strata_cas_v1_GetRecipeRequest, _strata_cas_v1_GetRecipeRequest__Output>
        GetRecipeResponse: MessageTypeDefinition<_strata_cas_v1_GetRecipeResponse, _strata_cas_v1_GetRecipeResponse__Output>
        IngestStatus: MessageTypeDefinition<_strata_cas_v1_IngestStatus, _strata_cas_v1_IngestStatus__Output>
        Lease: MessageTypeDefinition<_strata_cas_v1_Lease, _strata_cas_v1_Lease__Output>
        ListLeasesRequest: MessageTypeDefinition<_strata_cas_v1_ListLeasesRequest, _strata_cas_v1_ListLeasesRequest__Output>
        ListLeasesResponse: MessageTypeDefinition<_strata_cas_v1_ListLeasesResponse, _strata_cas_v1_ListLeasesResponse__Output>
        ListRequest: MessageTypeDefinition<_strata_cas_v1_ListRequest, _strata_cas_v1_ListRequest__Output>
        ListResponse: MessageTypeDefinition<_strata_cas_v1_ListResponse, _strata_cas_v1_ListResponse__Output>
        ListStatusesRequest: MessageTypeDefinition<_strata_cas_v1_ListStatusesRequest, _strata_cas_v1_ListStatusesRequest__Output>
        ListStatusesResponse: MessageTypeDefinition<_strata_cas_v1_ListStatusesResponse, _strata_cas_v1_ListStatusesResponse__Output>
        PutChunksRequest: MessageTypeDefinition<_strata_cas_v1_PutChunksRequest, _strata_cas_v1_PutChunksRequest__Output>
        PutChunksResponse: MessageTypeDefinition<_strata_cas_v1_PutChunksResponse, _strata_cas_v1_PutChunksResponse__Output>
        ReadChunksRequest: MessageTypeDefinition<_strata_cas_v1_ReadChunksRequest, _strata_cas_v1_ReadChunksRequest__Output>
        ReadChunksResponse: MessageTypeDefinition<_strata_cas_v1_ReadChunksResponse, _strata_cas_v1_ReadChunksResponse__Output>
        ReadRequest: MessageTypeDefinition<_strata_cas_v1_ReadRequest, _strata_cas_v1_ReadRequest__Output>
        ReadResponse: MessageTypeDefinition<_strata_cas_v1_ReadResponse, _strata_cas_v1_ReadResponse__Output>
        ReleaseLeaseRequest: MessageTypeDefinition<_strata_cas_v1_ReleaseLeaseRequest, _strata_cas_v1_ReleaseLeaseRequest__Output>
        ReleaseLeaseResponse: MessageTypeDefinition<_strata_cas_v1_ReleaseLeaseResponse, _strata_cas_v1_ReleaseLeaseResponse__Output>
        StatRequest: MessageTypeDefinition<_strata_cas_v1_StatRequest, _strata_cas_v1_StatRequest__Output>
        StatResponse: MessageTypeDefinition<_strata_cas_v1_StatResponse, _strata_cas_v1_StatResponse__Output>
        StatsRequest: MessageTypeDefinition<_strata_cas_v1_StatsRequest, _strata_cas_v1_StatsRequest__Output>
        StatsResponse: MessageTypeDefinition<_strata_cas_v1_StatsResponse, _strata_cas_v1_StatsResponse__Output>
        StatusRequest: MessageTypeDefinition<_strata_cas_v1_StatusRequest, _strata_cas_v1_StatusRequest__Output>
        StatusResponse: MessageTypeDefinition<_strata_cas_v1_StatusResponse, _strata_cas_v1_StatusResponse__Output>
        WriteAction: EnumTypeDefinition
        WriteRequest: MessageTypeDefinition<_strata_cas_v1_WriteRequest, _strata_cas_v1_WriteRequest__Output>
        WriteResponse: MessageTypeDefinition<_strata_cas_v1_WriteResponse, _strata_cas_v1_WriteResponse__Output>
      }
    }
  }
}

