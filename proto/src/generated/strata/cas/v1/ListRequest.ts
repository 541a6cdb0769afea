// Original file: cas/v1/cas.proto


export interface ListRequest {
}

export interface ListRequest__Output {
}
