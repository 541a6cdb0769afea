import { StrataError, type ErrorCode } from '@strata/errors';

const ERRNO: Record<string, { code: ErrorCode; text: string }> = {
  ENOENT: { code: 'NotFound', text: 'no such file' },
  ENOTDIR: { code: 'NotFound', text: 'no such file' },
  EACCES: { code: 'PermissionDenied', text: 'permission denied' },
  EPERM: { code: 'PermissionDenied', text: 'permission denied' },
  EISDIR: { code: 'InvalidArgument', text: 'is a directory' },
};

/** A failure to read an input file, as a StrataError that names the file. */
export function fileError(file: string, error: unknown): StrataError {
  if (error instanceof StrataError) return error;
  const known = ERRNO[(error as NodeJS.ErrnoException).code ?? ''];
  if (known) return new StrataError(known.code, `${file}: ${known.text}`, { cause: error, details: { file } });
  const message = error instanceof Error ? error.message : String(error);
  return new StrataError('Internal', `${file}: ${message}`, { cause: error, details: { file } });
}
