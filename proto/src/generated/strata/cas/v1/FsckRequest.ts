// Original file: cas/v1/cas.proto


export interface FsckRequest {
}

export interface FsckRequest__Output {
}
