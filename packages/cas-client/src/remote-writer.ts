import type { ClientDuplexStream } from '@grpc/grpc-js';
import type { BlobWriter, CommitResult, Expected } from '@strata/cas';
import { StrataError } from '@strata/errors';
import { fromGrpcError } from '@strata/proto';
import type { WriteRequest, WriteResponse__Output } from '@strata/proto';

export type WriteCall = ClientDuplexStream<WriteRequest, WriteResponse__Output>;

/**
 * A BlobWriter over one Write stream. Writes are pipelined: `write` resolves
 * once the stream has taken the bytes, and a failure the server reports
 * later surfaces on the next call. Offsets and the expected size are checked
 * here first, so a refused write leaves the stream (and the transaction)
 * usable, as in the engine.
 */
export class RemoteWriter implements BlobWriter {
  readonly ref: string;
  readonly #call: WriteCall;
  readonly #pieceBytes: number;
  readonly #abortRemote: (ref: string) => Promise<void>;
  #expected: Expected;
  #offset: number;
  #failure: StrataError | undefined;
  #finished = false;
  #committed = false;
  #answers: { resolve: (response: WriteResponse__Output) => void; reject: (error: StrataError) => void }[] = [];
  readonly #ended: Promise<void>;

  private constructor(ref: string, call: WriteCall, pieceBytes: number, abortRemote: (ref: string) => Promise<void>) {
    this.ref = ref;
    this.#call = call;
    this.#pieceBytes = pieceBytes;
    this.#abortRemote = abortRemote;
    this.#expected = {};
    this.#offset = 0;
    call.on('data', (response: WriteResponse__Output) => this.#answers.shift()?.resolve(response));
    this.#ended = new Promise((resolve) => {
      call.on('error', (error) => {
        this.#fail(fromGrpcError(error));
        resolve();
      });
      call.on('status', () => resolve());
    });
  }

  /** Opens (or resumes) the transaction: one STAT round trip tells where it stands. */
  static async open(
    call: WriteCall,
    ref: string,
    options: { expected?: Expected; lease?: string; pieceBytes: number; abortRemote: (ref: string) => Promise<void> },
  ): Promise<RemoteWriter> {
    const writer = new RemoteWriter(ref, call, options.pieceBytes, options.abortRemote);
    const opened = writer.#ask({
      action: 'STAT',
      ref,
      ...wireExpected(options.expected ?? {}),
      lease: options.lease ?? '',
    });
    try {
      const status = await opened;
      writer.#offset = status.offset;
      writer.#expected = {
        ...(status.total === undefined || status.total === null ? {} : { size: status.total }),
        ...(status.digest === '' ? {} : { digest: status.digest }),
      };
      return writer;
    } catch (error) {
      call.cancel();
      throw error;
    }
  }

  get offset(): number {
    return this.#offset;
  }

  #fail(error: StrataError): void {
    this.#failure ??= error;
    this.#finished = true;
    for (const answer of this.#answers.splice(0)) answer.reject(this.#failure);
  }

  #check(): void {
    if (this.#failure) throw this.#failure;
    if (this.#finished) throw new StrataError('FailedPrecondition', `writer for ${this.ref} is closed`);
  }

  #ask(request: WriteRequest): Promise<WriteResponse__Output> {
    return new Promise((resolve, reject) => {
      this.#answers.push({ resolve, reject });
      this.#call.write(request);
    });
  }

  async write(bytes: Uint8Array, at?: number): Promise<void> {
    this.#check();
    if (at !== undefined && at !== this.#offset) {
      throw new StrataError('OutOfRange', `write at ${at}, but ${this.ref} is at ${this.#offset}`, {
        details: { ref: this.ref, offset: this.#offset },
      });
    }
    const size = this.#expected.size;
    if (size !== undefined && this.#offset + bytes.byteLength > size) {
      throw new StrataError('OutOfRange', `write past the expected size ${size} of ${this.ref}`, {
        details: { ref: this.ref, offset: this.#offset, size },
      });
    }
    const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let start = 0; start < data.byteLength; start += this.#pieceBytes) {
      const piece = data.subarray(start, start + this.#pieceBytes);
      const flowing = this.#call.write({ action: 'WRITE', offset: this.#offset, data: piece });
      this.#offset += piece.byteLength;
      if (!flowing) await this.#drained();
      this.#check();
    }
  }

  #drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.#call.off('drain', done);
        this.#call.off('error', done);
        resolve();
      };
      this.#call.once('drain', done);
      this.#call.once('error', done);
    });
  }

  async commit(expected: Expected = {}): Promise<CommitResult> {
    this.#check();
    const merged = { ...this.#expected, ...expected };
    try {
      const answer = await this.#ask({ action: 'COMMIT', ...wireExpected(merged) });
      this.#committed = true;
      return { digest: answer.digest, size: answer.offset, created: answer.created };
    } finally {
      this.#finished = true;
      // The server's status arrives once both sides have finished.
      this.#call.end();
      await this.#ended;
    }
  }

  async abort(): Promise<void> {
    await this.close();
    if (!this.#committed) await this.#abortRemote(this.ref);
  }

  async close(): Promise<void> {
    if (!this.#finished) {
      this.#finished = true;
      this.#call.end();
    }
    await this.#ended;
  }
}

function wireExpected(expected: Expected): Pick<WriteRequest, 'total' | 'expectedDigest'> {
  return { ...(expected.size === undefined ? {} : { total: expected.size }), expectedDigest: expected.digest ?? '' };
}
