/**
 * Node options of the engine's worker threads. piscina loads a worker's
 * module with require() before import(), and require() of an ES module in a
 * worker has aborted the whole process in Node 24 (a failed assertion in its
 * require-of-ESM path, seen under load): workers load by import() only.
 */
export const WORKER_EXEC_ARGV = [...process.execArgv, '--no-experimental-require-module'];
