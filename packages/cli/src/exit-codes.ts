/** Exit codes of the `strata` command. */
export const EXIT_OK = 0;
/** The command failed; a one-line message went to stderr. */
export const EXIT_FAILURE = 1;
/** The command line was wrong; the usage went to stderr. */
export const EXIT_USAGE = 2;
/** Stopped by SIGINT, as shells report it (128 + 2). */
export const EXIT_INTERRUPTED = 130;
