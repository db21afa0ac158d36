/**
 * The bootstrap's resamples spread over worker threads: the calling thread and `threads − 1` workers
 * (metrics-bootstrap-worker.js, built from bootstrap-worker.ts) claim batches of resamples from one shared
 * counter and write their replicates into one shared array. Resample r is drawn from its own stream (seed, r),
 * so the replicates, and the intervals, are the same for any number of threads.
 */
import { Worker } from 'node:worker_threads';
import { bootstrapClaimed, bootstrapRange, replicateColumns, type BootstrapPlan } from './bootstrap';
import type { BootstrapRunner } from './fairness-report';
import { simdLanes } from './simd-kernels';

export interface ParallelBootstrapOptions {
  /** The built worker entry; null runs everything in this thread (e.g. tests running from source). */
  readonly workerPath: string | null;
  /** Threads, this one included; 'auto': the cores given, and one where the work is small. */
  readonly threads: number | 'auto';
  /** Cores for 'auto'. */
  readonly cores: number;
  /** Told the number of threads once it is chosen. */
  readonly onThreads?: (threads: number) => void;
}

/** Below this many row-resamples (rows × resamples), 'auto' stays on one thread: a worker's start costs more. */
export const parallelMinWork = 2e7;

/** What one worker is given (cloned; the layout's and the results' SharedArrayBuffers are shared). */
export interface BootstrapWorkerData {
  readonly plan: BootstrapPlan;
  readonly replicates: Float64Array;
  /** [0]: next resample to claim; [1]: workers finished (their writes are visible once it is read). */
  readonly claim: Int32Array;
  readonly batch: number;
}

/** The threads a plan will use under `options`. */
export function bootstrapThreads(plan: BootstrapPlan, options: ParallelBootstrapOptions): number {
  if (options.workerPath === null) return 1;
  const batches = Math.ceil(plan.resamples / simdLanes);
  const wanted =
    options.threads === 'auto'
      ? plan.layout.n * plan.resamples < parallelMinWork
        ? 1
        : options.cores
      : options.threads;
  return Math.max(1, Math.min(wanted, batches));
}

export function parallelBootstrap(options: ParallelBootstrapOptions): BootstrapRunner {
  return async (plan) => {
    const length = replicateColumns(plan) * plan.resamples;
    const threads = bootstrapThreads(plan, options);
    options.onThreads?.(threads);
    if (threads <= 1 || options.workerPath === null) {
      const replicates = new Float64Array(length);
      bootstrapRange(plan, replicates, 0, plan.resamples);
      return replicates;
    }
    const data: BootstrapWorkerData = {
      plan,
      replicates: new Float64Array(new SharedArrayBuffer(8 * length)),
      claim: new Int32Array(new SharedArrayBuffer(8)),
      batch: simdLanes,
    };
    const workers: Worker[] = [];
    const finished: Promise<void>[] = [];
    for (let i = 1; i < threads; i++) {
      const worker = new Worker(options.workerPath, { workerData: data });
      workers.push(worker);
      finished.push(
        new Promise<void>((resolve, reject) => {
          worker.once('message', () => resolve());
          worker.once('error', reject);
          worker.once('exit', (code) => reject(new Error(`bootstrap worker exited with code ${code}`)));
        }),
      );
      // Handled below; a failure of this thread first must not leave it unhandled.
      (finished[finished.length - 1] as Promise<void>).catch(() => undefined);
    }
    try {
      // This thread's share, while the workers start; then whatever they have left.
      bootstrapClaimed(data.plan, data.replicates, data.claim, data.batch);
      await Promise.all(finished);
    } finally {
      await Promise.all(workers.map((worker) => worker.terminate()));
    }
    if (Atomics.load(data.claim, 1) !== workers.length) throw new Error('bootstrap workers did not all finish');
    return data.replicates;
  };
}
