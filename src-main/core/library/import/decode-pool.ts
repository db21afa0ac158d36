import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { builtEntry } from '../../runtime-paths';
import { decodeForImport } from './decode-file';
import type { DecodeReply } from './decode-messages';
import type { DecodedForImport } from './image-record';

export interface Decoder {
  /** How many decodes may usefully run at once. */
  readonly concurrency: number;
  decode(bytes: Uint8Array, name: string): Promise<DecodedForImport>;
  close(): Promise<void>;
}

/**
 * Decoders for one import: a pool of worker threads (one per core, at most
 * `maxWorkers`) when the built worker entry exists, else decoding in-process
 * (tests running from source, or a single core).
 */
export function createDecoder(maxWorkers = 4): Decoder {
  const workerPath = builtEntry('import-decode-worker.js');
  const size = Math.min(maxWorkers, availableParallelism());
  if (!workerPath || size < 2) {
    return { concurrency: 1, decode: (bytes, name) => decodeForImport(bytes, name), close: async () => undefined };
  }
  return new WorkerPool(workerPath, size);
}

class WorkerPool implements Decoder {
  readonly #workers: Worker[] = [];
  readonly #pending = new Map<number, { resolve: (d: DecodedForImport) => void; reject: (e: Error) => void }>();
  #nextId = 0;
  #nextWorker = 0;
  #closing = false;

  constructor(
    path: string,
    readonly concurrency: number,
  ) {
    for (let i = 0; i < concurrency; i++) this.#workers.push(this.#start(path, i));
  }

  /** A worker; one that dies (a codec crash) fails its decodes and is replaced. */
  #start(path: string, slot: number): Worker {
    const worker = new Worker(path);
    worker.on('message', (reply: DecodeReply) => this.#settle(reply));
    worker.on('error', (err) => this.#failAll(err));
    worker.on('exit', (code) => {
      if (this.#closing) return;
      this.#failAll(new Error(`exited with code ${code}`));
      this.#workers[slot] = this.#start(path, slot);
    });
    return worker;
  }

  decode(bytes: Uint8Array, name: string): Promise<DecodedForImport> {
    const id = this.#nextId++;
    const worker = this.#workers[this.#nextWorker++ % this.#workers.length] as Worker;
    // A copy is transferred: the caller keeps its bytes for hashing and storing.
    const copy = bytes.slice().buffer;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ id, name, bytes: copy }, [copy]);
    });
  }

  async close(): Promise<void> {
    this.#closing = true;
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }

  #settle(reply: DecodeReply): void {
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    this.#pending.delete(reply.id);
    if (reply.ok) pending.resolve(reply.decoded);
    else pending.reject(new Error(reply.message));
  }

  #failAll(err: Error): void {
    for (const pending of this.#pending.values()) pending.reject(new Error(`decode worker failed: ${err.message}`));
    this.#pending.clear();
  }
}
