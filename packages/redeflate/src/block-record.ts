/**
 * Flags of a block record in a segment payload (FORMAT.md, "Block records").
 * Bit 0 BFINAL, bits 1-2 BTYPE, then:
 */
export const RECORD_FINAL = 1;
/** The producer's matcher could not see past the end of this block (a flush follows). */
export const RECORD_HORIZON = 8;
/** The dynamic header is stored verbatim instead of being rebuilt from token frequencies. */
export const RECORD_RAW_HEADER = 16;

/** Token corrections: the value sent for a token that was not predicted. */
export const EVENT_LITERAL = 0;
/** Matches are sent as length - 2 (1..256); this value is 258 sent as code 284 + 31. */
export const EVENT_LENGTH_258_VIA_284 = 257;
