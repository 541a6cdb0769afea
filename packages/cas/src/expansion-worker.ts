/**
 * Worker-thread side of layer expansion: one streaming expander per
 * session, fed the compressed pieces the engine transfers in, handing back
 * the plaintext they complete (transferred out) and, at the end, the
 * outcome. See expansion-session.ts for the other side.
 */
import { parentPort } from 'node:worker_threads';
import { errorCode } from '@strata/errors';
import { createLayerExpander, type LayerExpander } from './layer-codecs.ts';
import type { ExpansionReply, ExpansionRequest } from './expansion-session.ts';

const port = parentPort!;
const expanders = new Map<number, LayerExpander>();

port.on('message', (request: ExpansionRequest) => {
  const { id } = request;
  try {
    switch (request.type) {
      case 'start':
        expanders.set(id, createLayerExpander(request.codec, request.options));
        return;
      case 'push': {
        const expander = known(id);
        reply({ id, type: 'plaintext', pieces: expander.push(request.bytes), reason: expander.reason });
        return;
      }
      case 'more': {
        const expander = known(id);
        reply({ id, type: 'plaintext', pieces: expander.more(), reason: expander.reason });
        return;
      }
      case 'finish': {
        const expander = known(id);
        reply({ id, type: 'plaintext', pieces: expander.finish(), reason: expander.reason });
        return;
      }
      case 'outcome': {
        const expander = known(id);
        expanders.delete(id);
        port.postMessage({ id, type: 'finished', outcome: expander.outcome() } satisfies ExpansionReply);
        return;
      }
      case 'close':
        expanders.delete(id);
        return;
    }
  } catch (error) {
    expanders.delete(id);
    port.postMessage({ id, type: 'error', code: errorCode(error), message: (error as Error)?.message ?? String(error) } satisfies ExpansionReply);
  }
});

function known(id: number): LayerExpander {
  const expander = expanders.get(id);
  if (!expander) throw new Error(`no expansion session ${id}`);
  return expander;
}

/** Posts a reply, moving the plaintext out: pieces that share their memory with others are copied first. */
function reply(message: Extract<ExpansionReply, { type: 'plaintext' }>): void {
  const pieces = message.pieces.map((piece) => (piece.byteOffset === 0 && piece.byteLength === piece.buffer.byteLength ? piece : Uint8Array.prototype.slice.call(piece)));
  port.postMessage({ ...message, pieces }, pieces.map((piece) => piece.buffer as ArrayBuffer));
}
