import type { Readable } from 'node:stream';

/**
 * A request body in pieces of whatever has arrived, joined up to
 * `maxBytes`: a fast client's 64 KiB socket reads reach the store as large
 * writes, while a slow client's bytes are written as soon as they come (so
 * an upload's progress is visible, and survives a dropped connection).
 */
export async function* arrivedPieces(body: Readable, maxBytes = 1024 * 1024): AsyncGenerator<Buffer> {
  for (;;) {
    const pieces: Buffer[] = [];
    let bytes = 0;
    let piece: Buffer | null;
    while (bytes < maxBytes && (piece = body.read() as Buffer | null) !== null) {
      pieces.push(piece);
      bytes += piece.byteLength;
    }
    if (bytes > 0) {
      yield pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, bytes);
      continue;
    }
    if (body.readableEnded) return;
    await new Promise<void>((resolve, reject) => {
      const settle = (error?: Error): void => {
        body.off('readable', onReadable);
        body.off('end', onEnd);
        body.off('error', settle);
        body.off('close', onClose);
        if (error) reject(error);
        else resolve();
      };
      const onReadable = (): void => settle();
      const onEnd = (): void => settle();
      const onClose = (): void => settle(body.readableEnded ? undefined : new Error('request body ended early'));
      body.on('readable', onReadable);
      body.on('end', onEnd);
      body.on('error', settle);
      body.on('close', onClose);
    });
    if (body.errored) throw body.errored;
  }
}
