/** What a peer tool is given: the benchmark input staged as one directory tree. */
export interface StagedInput {
  /** Directory holding every input file (hard links or copies). */
  dir: string;
  files: number;
  totalBytes: number;
}

/** The outcome of one timed run of a peer. */
export interface PeerRun {
  seconds: number;
  /** Bytes the peer's repository or store holds afterwards. */
  storedBytes: number;
  /** What was counted as stored, for the report. */
  storedWhat: string;
}

/**
 * A tool strata is measured against. `run` sets up its repository in
 * `workdir` (untimed), times only the command that ingests the input, and
 * measures what it left on disk.
 */
export interface Peer {
  readonly name: string;
  /** The settings used, as a reader of the results needs them. */
  readonly settings: string;
  version(): Promise<string>;
  run(input: StagedInput, workdir: string, signal?: AbortSignal): Promise<PeerRun>;
}
