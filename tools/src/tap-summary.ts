/**
 * Counts a test run from its TAP stream. A run only counts as passing when
 * its stream says so all the way to the end: a runner that dies without its
 * plan line, bails out, or exits non-zero with nothing failed on record is
 * counted as a failure, never as "0 failed".
 */
import { StringDecoder } from 'node:string_decoder';
import { Parser, type Result } from 'tap-parser';

const PLAN_LINE = /^1\.\.\d+/;

export interface TapSummary {
  passed: number;
  failed: number;
  /** Tests marked skip or todo: neither passed nor failed. */
  skipped: number;
  /** Names of failed tests, and a line for each way the run itself failed. */
  failures: string[];
}

export interface RunOutcome {
  /** The runner's exit code; null when a signal ended it. */
  exitCode: number | null;
  signal?: string | null;
}

/** Parses TAP as it arrives; `end` tallies it against how the runner exited. */
export class TapCounter {
  readonly #parser: Parser;
  readonly #done: Promise<{ plan: { start: number | null; end: number | null }; bailout: boolean | string; count: number }>;
  #passed = 0;
  #failed = 0;
  #skipped = 0;
  /** tap-parser makes up a `1..0` plan for an empty stream; only a plan line the runner wrote counts. */
  #planWritten = false;
  #partialLine = '';
  readonly #decoder = new StringDecoder('utf8');
  readonly #failures: string[] = [];

  constructor() {
    this.#parser = new Parser();
    this.#done = new Promise((resolve) => this.#parser.on('complete', resolve));
    this.#parser.on('assert', (result: Result) => this.#count(result));
  }

  write(chunk: string | Uint8Array): void {
    const text = typeof chunk === 'string' ? chunk : this.#decoder.write(Buffer.from(chunk));
    this.#noticePlan(text);
    this.#parser.write(text);
  }

  #noticePlan(text: string): void {
    const lines = (this.#partialLine + text).split('\n');
    this.#partialLine = lines.pop()!;
    if (lines.some((line) => PLAN_LINE.test(line))) this.#planWritten = true;
  }

  async end(outcome: RunOutcome): Promise<TapSummary> {
    const rest = this.#decoder.end();
    this.#noticePlan(`${rest}\n`);
    this.#parser.end(rest);
    const results = await this.#done;
    const failures = [...this.#failures];
    let failed = this.#failed;
    const recorded = this.#passed + this.#failed + this.#skipped;

    if (results.bailout !== false) {
      failed++;
      failures.push(`bailed out${typeof results.bailout === 'string' && results.bailout ? `: ${results.bailout}` : ''}`);
    } else if (!this.#planWritten || results.plan.end === null) {
      failed++;
      failures.push('the run ended without a TAP plan line: the runner crashed or was killed');
    } else if (results.plan.end > recorded) {
      // Tests the plan promised but that never reported a result.
      failed += results.plan.end - recorded;
      failures.push(`${results.plan.end - recorded} planned test(s) never reported`);
    }
    if (failed === 0 && (outcome.exitCode !== 0 || outcome.signal)) {
      failed++;
      failures.push(
        outcome.signal ? `the runner was killed by ${outcome.signal}` : `the runner exited with code ${outcome.exitCode} yet reported no failed test`,
      );
    }
    return { passed: this.#passed, failed, skipped: this.#skipped, failures };
  }

  #count(result: Result): void {
    if (result.todo !== false || result.skip !== false) {
      this.#skipped++;
    } else if (result.ok) {
      this.#passed++;
    } else {
      this.#failed++;
      this.#failures.push(result.name);
    }
  }
}

/** Counts a complete TAP text; for tests and for runners whose output is already buffered. */
export async function summarizeTap(tap: string, outcome: RunOutcome): Promise<TapSummary> {
  const counter = new TapCounter();
  counter.write(tap);
  return counter.end(outcome);
}
