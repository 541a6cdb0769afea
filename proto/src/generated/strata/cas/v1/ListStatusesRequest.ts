// Original file: cas/v1/cas.proto


export interface ListStatusesRequest {
}

export interface ListStatusesRequest__Output {
}
