// Original file: cas/v1/cas.proto


export interface AbortResponse {
}

export interface AbortResponse__Output {
}
