import pg from 'pg';

const INT8_OID = 20;

/**
 * `pg` type parsers reading bigint columns as numbers: strata keeps sizes,
 * offsets and times in bigints, all well within 2^53.
 */
export const bigintsAsNumbers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format ?? 'text')) as pg.CustomTypesConfig['getTypeParser'],
};
