export { ERROR_CODES, type ErrorCode, isErrorCode } from './codes.ts';
export { StrataError, type StrataErrorOptions, errorCode, toStrataError } from './strata-error.ts';
export * from './guards.ts';
