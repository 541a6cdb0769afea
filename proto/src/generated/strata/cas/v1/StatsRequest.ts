// Original file: cas/v1/cas.proto


export interface StatsRequest {
}

export interface StatsRequest__Output {
}
