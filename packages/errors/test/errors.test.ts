import test from 'ava';
import { StrataError, errorCode, isDataLoss, isNotFound, toStrataError, isErrorCode, ERROR_CODES } from '@strata/errors';

test('guards match on code, not message', (t) => {
  const error = new StrataError('NotFound', 'blob sha256:abc not found');
  t.true(isNotFound(error));
  t.false(isDataLoss(error));
  t.false(isNotFound(new Error('NotFound')));
});

test('foreign errors are Internal, aborts are Cancelled', (t) => {
  t.is(errorCode(new TypeError('x')), 'Internal');
  t.is(errorCode(new DOMException('stop', 'AbortError')), 'Cancelled');
  t.is(toStrataError('boom').code, 'Internal');
});

test('toStrataError keeps StrataErrors and their details', (t) => {
  const error = new StrataError('DataLoss', 'chunk damaged', { details: { blobs: ['sha256:1'] } });
  t.is(toStrataError(error), error);
  t.deepEqual(error.details, { blobs: ['sha256:1'] });
});

test('the code set is closed', (t) => {
  t.true(ERROR_CODES.every(isErrorCode));
  t.false(isErrorCode('Teapot'));
});
