// Original file: cas/v1/cas.proto


export interface GetChunkingRequest {
}

export interface GetChunkingRequest__Output {
}
