import { Presets, SingleBar } from 'cli-progress';

/** What a suite reports while it runs: which step (tool) is on, and how far it is. */
export interface Progress {
  begin(steps: number): void;
  step(name: string): void;
  detail(text: string): void;
  end(): void;
}

/**
 * A bar on stderr when it is a terminal, nothing otherwise: results go to
 * stdout and files, so logs of CI runs stay readable.
 */
export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return { begin() {}, step() {}, detail() {}, end() {} };
  const bar = new SingleBar(
    { format: ' {bar} {value}/{total} {step} {detail}', stream, hideCursor: true, clearOnComplete: true },
    Presets.shades_classic,
  );
  let done = -1;
  let started = false;
  return {
    begin(steps) {
      bar.start(steps, 0, { step: '', detail: '' });
      started = true;
    },
    step(name) {
      done++;
      if (started) bar.update(done, { step: name, detail: '' });
    },
    detail(text) {
      if (started) bar.update({ detail: text });
    },
    end() {
      if (!started) return;
      bar.update(bar.getTotal(), { step: 'done', detail: '' });
      bar.stop();
      started = false;
    },
  };
}
