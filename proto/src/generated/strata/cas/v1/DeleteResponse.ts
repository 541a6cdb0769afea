// Original file: cas/v1/cas.proto


export interface DeleteResponse {
}

export interface DeleteResponse__Output {
}
