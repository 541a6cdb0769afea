import cliProgress, { type Options, type Params } from 'cli-progress';
import { humanBytes } from './format.ts';

/** A progress bar on stderr, shown only when stderr is a terminal. */
export interface Progress {
  /** Moves the bar to `done` of `total`; `label` names the current phase. */
  update(done: number, total: number, label?: string): void;
  /** Writes a line to stdout without tearing the bar when both share a terminal. */
  print(line: string): void;
  stop(): void;
}

/** `bytes` shows sizes and throughput; `count` shows items done of total. */
export type ProgressUnit = 'bytes' | 'count';

export function startProgress(unit: ProgressUnit, label: string, total = 0): Progress {
  if (!process.stderr.isTTY) return silentProgress;
  const bar = new cliProgress.SingleBar({
    stream: process.stderr,
    format: unit === 'bytes' ? formatBytes : formatCount,
    hideCursor: true,
    clearOnComplete: true,
    // print() clears the bar's line; redrawing every frame brings it back.
    forceRedraw: true,
    barsize: 30,
  });
  bar.start(total, 0, { label });
  let current = label;
  return {
    update(done, newTotal, newLabel = current) {
      current = newLabel;
      if (newTotal !== bar.getTotal()) bar.setTotal(newTotal);
      bar.update(done, { label: current });
    },
    print(line) {
      if (process.stdout.isTTY) {
        process.stderr.cursorTo(0);
        process.stderr.clearLine(0);
      }
      process.stdout.write(`${line}\n`);
    },
    stop() {
      bar.stop();
    },
  };
}

const silentProgress: Progress = {
  update() {},
  print(line) {
    process.stdout.write(`${line}\n`);
  },
  stop() {},
};

function formatBytes(options: Options, params: Params, payload: { label: string }): string {
  const seconds = (Date.now() - params.startTime) / 1000;
  const megabytesPerSecond = seconds > 0 ? params.value / 1e6 / seconds : 0;
  return [
    `${payload.label} ${cliProgress.Format.BarFormat(params.progress, options)} ${percent(params)}`,
    `${humanBytes(params.value)} / ${humanBytes(params.total)}`,
    `${megabytesPerSecond.toFixed(1)} MB/s`,
  ].join(' | ');
}

function formatCount(options: Options, params: Params, payload: { label: string }): string {
  return `${payload.label} ${cliProgress.Format.BarFormat(params.progress, options)} ${percent(params)} | ${params.value} / ${params.total}`;
}

function percent(params: Params): string {
  return `${Math.floor(params.progress * 100)}%`.padStart(4);
}
