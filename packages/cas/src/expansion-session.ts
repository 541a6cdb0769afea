/**
 * Where a layer's expansion runs. The engine streams a blob through an
 * `ExpansionSession` and never holds the layer or its plaintext whole: it
 * pushes compressed pieces one at a time (awaiting each, which is the
 * backpressure) and takes the plaintext each one completed. The expander
 * itself (CPU-heavy: inflating and modelling gzip, decompressing and
 * searching zstd levels) runs on one long-lived worker thread per store,
 * or on the calling thread when the store uses no workers; the answers are
 * the same.
 */
import { Worker } from 'node:worker_threads';
import { StrataError, type ErrorCode } from '@strata/errors';
import { createLayerExpander, type ExpandOutcome, type LayerExpanderOptions } from './layer-codecs.ts';
import type { LayerCodecId } from './recipe.ts';
import { WORKER_EXEC_ARGV } from './worker-options.ts';

/** One layer's streaming expansion. Calls are made one at a time, each awaited. */
export interface ExpansionSession {
  /** The first plaintext the pushed bytes completed, in order (maybe none). `compressed` may be detached. */
  push(compressed: Uint8Array): Promise<Uint8Array[]>;
  /** The next plaintext of what was pushed (a few MiB at most); none once it is all out. */
  more(): Promise<Uint8Array[]>;
  /** Why the expander gave up, once it has (after a push or a more): nothing more need be pushed. */
  readonly reason: string | undefined;
  /** The input has ended: the first of the remaining plaintext (take the rest with `more`). */
  finish(): Promise<Uint8Array[]>;
  /** After `finish` and once `more` returned none: how the expansion ended (a reason, if it gave up). */
  outcome(): Promise<ExpandOutcome>;
  /** Drops the session if it is not finished; idempotent. */
  close(): void;
}

/** What the engine sends the expansion worker. */
export type ExpansionRequest =
  | { id: number; type: 'start'; codec: LayerCodecId; options: LayerExpanderOptions }
  | { id: number; type: 'push'; bytes: Uint8Array }
  | { id: number; type: 'more' }
  | { id: number; type: 'finish' }
  | { id: number; type: 'outcome' }
  | { id: number; type: 'close' };

/** What the expansion worker answers a push, more or finish (plaintext) and an outcome request (finished) with. */
export type ExpansionReply =
  | { id: number; type: 'plaintext'; pieces: Uint8Array[]; reason: string | undefined }
  | { id: number; type: 'finished'; outcome: ExpandOutcome }
  | { id: number; type: 'error'; code: ErrorCode; message: string };

/** The expander on the calling thread. */
export function inThreadSession(codec: LayerCodecId, options: LayerExpanderOptions): ExpansionSession {
  const expander = createLayerExpander(codec, options);
  return {
    get reason() {
      return expander.reason;
    },
    async push(compressed) {
      return expander.push(compressed);
    },
    async more() {
      return expander.more();
    },
    async finish() {
      return expander.finish();
    },
    async outcome() {
      return expander.outcome();
    },
    close() {},
  };
}

// A worker with no session for this long is stopped (the next session starts another).
const IDLE_MS = 10_000;

interface Waiting {
  resolve: (reply: ExpansionReply) => void;
  reject: (error: unknown) => void;
}

/**
 * The expansion worker thread: started with the first session, stopped
 * after IDLE_MS without one and on `close`. A worker that dies fails the
 * sessions it held (their expansions fail, the blobs stay as they were);
 * the next session starts a new one.
 */
export class ExpansionThread {
  #worker: Worker | undefined;
  // Sessions on the current worker, with the request each is waiting on (at most one).
  readonly #sessions = new Map<number, { waiting?: Waiting }>();
  #nextId = 1;
  #idleTimer: NodeJS.Timeout | undefined;
  #closed = false;

  /** A session on the worker; `signal` stops the worker (and so the session) when it fires mid-request. */
  session(codec: LayerCodecId, options: LayerExpanderOptions, signal?: AbortSignal): ExpansionSession {
    if (this.#closed) throw new StrataError('Cancelled', 'the expansion thread is closed');
    const worker = this.#start();
    const id = this.#nextId++;
    const state: { waiting?: Waiting } = {};
    this.#sessions.set(id, state);
    clearTimeout(this.#idleTimer);
    worker.ref();
    worker.postMessage({ id, type: 'start', codec, options } satisfies ExpansionRequest);
    let reason: string | undefined;
    let open = true;

    const end = (): void => {
      if (!open) return;
      open = false;
      this.#sessions.delete(id);
      if (this.#worker === worker) {
        worker.postMessage({ id, type: 'close' } satisfies ExpansionRequest);
        this.#idleAfterLast(worker);
      }
    };
    const ask = async (request: ExpansionRequest, transfer: ArrayBuffer[]): Promise<ExpansionReply> => {
      if (!open) throw new StrataError('FailedPrecondition', 'the expansion session is closed');
      if (this.#worker !== worker) throw workerLost(undefined);
      signal?.throwIfAborted();
      const reply = new Promise<ExpansionReply>((resolve, reject) => (state.waiting = { resolve, reject }));
      const onAbort = (): void => void this.#stop(worker, signal!.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        worker.postMessage(request, transfer);
        const answer = await reply;
        if (answer.type === 'error') throw new StrataError(answer.code, answer.message);
        return answer;
      } finally {
        signal?.removeEventListener('abort', onAbort);
        state.waiting = undefined;
      }
    };

    const plaintext = async (request: ExpansionRequest, transfer: ArrayBuffer[]): Promise<Uint8Array[]> => {
      try {
        const answer = await ask(request, transfer);
        if (answer.type !== 'plaintext') throw new StrataError('Internal', `expansion worker answered a ${request.type} with ${answer.type}`);
        reason = answer.reason;
        return answer.pieces;
      } catch (error) {
        end();
        throw error;
      }
    };

    return {
      get reason() {
        return reason;
      },
      async push(compressed) {
        const bytes = compressed.byteOffset === 0 && compressed.byteLength === compressed.buffer.byteLength ? compressed : Uint8Array.prototype.slice.call(compressed);
        return plaintext({ id, type: 'push', bytes }, [bytes.buffer as ArrayBuffer]);
      },
      more() {
        return plaintext({ id, type: 'more' }, []);
      },
      finish() {
        return plaintext({ id, type: 'finish' }, []);
      },
      async outcome() {
        try {
          const answer = await ask({ id, type: 'outcome' }, []);
          if (answer.type !== 'finished') throw new StrataError('Internal', `expansion worker answered an outcome request with ${answer.type}`);
          return answer.outcome;
        } finally {
          end();
        }
      },
      close: end,
    };
  }

  /** Stops the worker; sessions still open fail. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#idleTimer);
    const worker = this.#worker;
    if (worker) await this.#stop(worker, new StrataError('Cancelled', 'the store closed during the expansion'));
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(new URL('./expansion-worker.ts', import.meta.url), { execArgv: WORKER_EXEC_ARGV });
    worker.on('message', (reply: ExpansionReply) => this.#sessions.get(reply.id)?.waiting?.resolve(reply));
    worker.on('error', (error) => this.#lose(worker, error));
    worker.on('exit', (code) => this.#lose(worker, new Error(`the expansion worker exited with code ${code}`)));
    this.#worker = worker;
    return worker;
  }

  /** Ends `worker` on purpose: its sessions fail with `cause`. */
  #stop(worker: Worker, cause: unknown): Promise<number> {
    this.#lose(worker, cause);
    return worker.terminate();
  }

  #lose(worker: Worker, cause: unknown): void {
    if (this.#worker !== worker) return;
    this.#worker = undefined;
    clearTimeout(this.#idleTimer);
    const error = cause instanceof StrataError && cause.code === 'Cancelled' ? cause : workerLost(cause);
    for (const state of this.#sessions.values()) state.waiting?.reject(error);
    this.#sessions.clear();
  }

  #idleAfterLast(worker: Worker): void {
    if (this.#sessions.size > 0) return;
    // An idle worker neither keeps the process alive nor stays past IDLE_MS.
    worker.unref();
    this.#idleTimer = setTimeout(() => void this.#stop(worker, new StrataError('Cancelled', 'the expansion worker was idle')), IDLE_MS).unref();
  }
}

function workerLost(cause: unknown): StrataError {
  return new StrataError('Unavailable', 'the expansion worker stopped during the expansion', { cause });
}
