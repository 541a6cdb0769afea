// Original file: cas/v1/cas.proto


export interface ListLeasesRequest {
}

export interface ListLeasesRequest__Output {
}
