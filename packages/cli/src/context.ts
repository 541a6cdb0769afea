/** What every command gets from main(). */
export interface CliContext {
  /** Aborted on SIGINT or when stdout goes away; pass it to every long operation. */
  signal: AbortSignal;
}
