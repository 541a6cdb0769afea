import type { ErrorCode } from '@strata/errors';
import { StrataError, errorCode } from '@strata/errors';
import type { ParsedCorrections, SegmentEntry } from './corrections.ts';
import type { ModelParams } from './match-model.ts';
import { SEGMENT_LOOKAHEAD, rebuildLoneSegment } from './rebuild-deflate.ts';
import { WINDOW_SIZE } from './deflate-tables.ts';

/**
 * One segment to rebuild on a worker thread: the correction stream cut down
 * to that segment, and the plaintext it reads. Every buffer is the task's
 * own, so it can be transferred rather than copied.
 */
export interface SegmentTask {
  params: ModelParams;
  plainLength: number;
  bitLength: number;
  finalPadding: number;
  /** The segment, its payload at offset 0 of `payload`. */
  segment: SegmentEntry;
  /** The stream's last segment (it also writes the final padding). */
  final: boolean;
  payload: Uint8Array;
  plaintext: Uint8Array;
  /** Plaintext offset (within the deflate stream) of plaintext[0]. */
  base: number;
}

/** A worker's answer: the bytes, or the failure with its code (errors lose their class between threads). */
export type SegmentOutcome = Uint8Array | SegmentFailure;

export interface SegmentFailure {
  code: ErrorCode;
  message: string;
  details: Record<string, unknown>;
}

/** The plaintext range, within the deflate stream, that segment `index` reads. */
export function segmentPlaintextRange(corrections: ParsedCorrections, index: number): { start: number; end: number } {
  const segment = corrections.segments[index]!;
  return {
    start: Math.max(0, segment.plainStart - WINDOW_SIZE),
    end: Math.min(corrections.plainLength, segment.plainStart + segment.plainLength + SEGMENT_LOOKAHEAD),
  };
}

/** A task for segment `index`, `plaintext` being exactly its segmentPlaintextRange. */
export function segmentTask(corrections: ParsedCorrections, index: number, plaintext: Uint8Array): SegmentTask {
  const segment = corrections.segments[index]!;
  const { start } = segmentPlaintextRange(corrections, index);
  return {
    params: corrections.params,
    plainLength: corrections.plainLength,
    bitLength: corrections.bitLength,
    finalPadding: corrections.finalPadding,
    segment: { ...segment, payloadOffset: 0 },
    final: index === corrections.segments.length - 1,
    // A copy of its own (Buffer's slice would share, and a pooled Buffer cannot be transferred).
    payload: Uint8Array.prototype.slice.call(corrections.bytes, segment.payloadOffset, segment.payloadOffset + segment.payloadLength),
    plaintext,
    base: start,
  };
}

export function runSegmentTask(task: SegmentTask): Uint8Array {
  const corrections: ParsedCorrections = {
    params: task.params,
    plainLength: task.plainLength,
    bitLength: task.bitLength,
    finalPadding: task.finalPadding,
    segments: [task.segment],
    bytes: task.payload,
  };
  return rebuildLoneSegment(corrections, 0, task.final, task.plaintext, task.base);
}

export function outcomeOf(task: SegmentTask): SegmentOutcome {
  try {
    return runSegmentTask(task);
  } catch (error) {
    const details = error instanceof StrataError ? error.details : {};
    return { code: errorCode(error), message: error instanceof Error ? error.message : String(error), details };
  }
}

export function bytesOf(outcome: SegmentOutcome): Uint8Array {
  if (outcome instanceof Uint8Array) return outcome;
  throw new StrataError(outcome.code, outcome.message, { details: outcome.details });
}
