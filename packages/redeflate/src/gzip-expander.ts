import { type ExpandOptions } from './expand-deflate.ts';
import { type GzipRestartPoint, expandGzip } from './gzip.ts';

/** What a finished GzipExpander recorded. */
export interface GzipExpanderResult {
  corrections: Uint8Array;
  restartPoints: GzipRestartPoint[];
  plainLength: number;
}

/**
 * Streaming gzip expansion: compressed bytes in, plaintext out as blocks
 * complete, the correction stream at the end.
 */
export class GzipExpander {
  private readonly options: ExpandOptions;
  private readonly input: Uint8Array[] = [];
  private done: GzipExpanderResult | undefined;

  constructor(options: ExpandOptions = {}) {
    this.options = options;
  }

  push(compressed: Uint8Array): Uint8Array[] {
    this.input.push(compressed.slice());
    return [];
  }

  finish(): Uint8Array[] {
    const bytes = Buffer.concat(this.input);
    const expansion = expandGzip(bytes, this.options);
    this.done = { corrections: expansion.corrections, restartPoints: expansion.restartPoints, plainLength: expansion.plaintext.length };
    return [expansion.plaintext];
  }

  result(): GzipExpanderResult {
    if (this.done === undefined) throw new RangeError('result before finish');
    return this.done;
  }
}
