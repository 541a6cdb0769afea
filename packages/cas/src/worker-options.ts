/**
 * Node options of the engine's worker threads. piscina loads a worker's
 * module with require() before import(): require() of an ES module whose
 * thread is stopped while it loads (a pool closed as it starts) can abort
 * the whole process in Node 24, so workers load by import() only.
 */
export const WORKER_EXEC_ARGV = [...process.execArgv, '--no-experimental-require-module'];
