/**
 * Child-process entry: selects the compute backend and reports it to the
 * parent. Loading TensorFlow (a native library for tfjs-node-gpu) here rather
 * than in the app's process means a crash of that library cannot take the app
 * or its database down.
 */
import { backendPreferenceSchema } from '../../api/contract';
import { parentChannel } from '../process/parent-port';
import { selectBackend } from './select-backend';

const channel = parentChannel();
const preference = backendPreferenceSchema.parse(process.argv[2] ?? 'auto');
selectBackend(preference)
  .then((report) => channel.send({ type: 'report', report }))
  .catch((err: unknown) => channel.send({ type: 'error', message: err instanceof Error ? err.message : String(err) }))
  .finally(() => setTimeout(() => process.exit(0), 50));
