// Original file: cas/v1/cas.proto


export interface ReleaseLeaseResponse {
}

export interface ReleaseLeaseResponse__Output {
}
