/**
 * Worker-thread entry (metrics-bootstrap-worker.js): claims batches of bootstrap resamples until none is left
 * (bootstrap-parallel.ts), then says so.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { bootstrapClaimed } from './bootstrap';
import type { BootstrapWorkerData } from './bootstrap-parallel';

if (!parentPort) throw new Error('bootstrap-worker runs as a worker thread');
const { plan, replicates, claim, batch } = workerData as BootstrapWorkerData;
bootstrapClaimed(plan, replicates, claim, batch);
// A sequentially consistent write after the replicates: the parent's read of it makes them visible there.
Atomics.add(claim, 1, 1);
parentPort.postMessage('done');
