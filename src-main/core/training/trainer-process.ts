/**
 * Child-process entry of the trainer (Electron utilityProcess, or
 * child_process.fork under the browser host and the CLI). It waits for one
 * `start` message, trains, reports every step through the channel, and exits
 * (or, for a `probe` message, times a few steps of a preset and exits).
 * TensorFlow (a native library for tfjs-node-gpu) lives only here, so its
 * crash cannot take the app or the database down.
 */
import { InputError } from '../input-error';
import { parentChannel } from '../process/parent-port';
import { runTimingProbe } from './timing-probe';
import { runTrainJob } from './train-loop';
import { toTrainerSchema, type FromTrainer } from './trainer-protocol';

const channel = parentChannel();
// tfjs-core is bundled here and loaded again by the backend packages (CommonJS); the second copy announces that
// it sets the platform again, which is expected and says nothing to a user.
const warn = console.warn.bind(console);
console.warn = (...args: unknown[]): void => {
  if (typeof args[0] === 'string' && args[0].startsWith('Platform node has already been set')) return;
  warn(...args);
};
// A parent that dies (kill -9 of the CLI or the host) takes its trainer with it; the last checkpoint stays.
process.on('disconnect', () => process.exit(1));
let cancelled = false;
// Ctrl+C in a terminal reaches the whole process group, this child too: stop after the step, as the parent asks.
process.on('SIGINT', () => (cancelled = true));
let started = false;
const send = (message: FromTrainer): void => channel.send(message);

channel.onMessage((raw) => {
  const parsed = toTrainerSchema.safeParse(raw);
  if (!parsed.success) {
    send({ type: 'log', level: 'warn', message: `ignored a malformed message: ${parsed.error.message}` });
    return;
  }
  const message = parsed.data;
  if (message.type === 'cancel') {
    cancelled = true;
    return;
  }
  if (started) return;
  started = true;
  const io = { send, cancelled: () => cancelled };
  (message.type === 'probe' ? runTimingProbe(message.probe, io) : runTrainJob(message.job, io))
    .catch((err: unknown) =>
      send({
        type: 'error',
        message: err instanceof Error ? err.message : String(err),
        inputError: err instanceof InputError,
      }),
    )
    .finally(() => setTimeout(() => process.exit(0), 100));
});
