/**
 * Worker-thread entry: decodes files for the import off the main thread, so a
 * multi-core machine decodes several radiographs at once while the main thread
 * hashes and writes to SQLite.
 */
import { parentPort } from 'node:worker_threads';
import { decodeForImport } from './decode-file';
import type { DecodeReply, DecodeRequest } from './decode-messages';

if (!parentPort) throw new Error('decode-worker runs as a worker thread');
const port = parentPort;

port.on('message', (request: DecodeRequest) => {
  decodeForImport(new Uint8Array(request.bytes), request.name).then(
    (decoded) => {
      const reply: DecodeReply = { id: request.id, ok: true, decoded };
      port.postMessage(reply, [decoded.gray8.buffer as ArrayBuffer]);
    },
    (err: unknown) => {
      const reply: DecodeReply = {
        id: request.id,
        ok: false,
        message: err instanceof Error ? err.message : String(err),
      };
      port.postMessage(reply);
    },
  );
});
