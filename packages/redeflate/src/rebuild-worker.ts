/**
 * Worker-thread side of RebuildPool: rebuilds one segment and hands its
 * bytes back transferred (a failure comes back as a plain value carrying its
 * code, which a thrown StrataError would lose on the way).
 */
import { move } from 'piscina';
import { type SegmentOutcome, type SegmentTask, outcomeOf } from './segment-task.ts';

export default function rebuildSegmentTask(task: SegmentTask): SegmentOutcome {
  const outcome = outcomeOf(task);
  return outcome instanceof Uint8Array ? (move(outcome) as Uint8Array) : outcome;
}
