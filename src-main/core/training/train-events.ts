import type { TrainEvent } from '../../api/training-schemas';
import type { FromTrainer } from './trainer-protocol';

/**
 * The `train` event a running trainer's message stands for (started, a step's progress, an epoch), or null for
 * the messages that are not announced this way. Callers thin out the progress events themselves.
 */
export function runningTrainEvent(runId: number, message: FromTrainer): TrainEvent | null {
  const running = { runId, progress: null, epoch: null, status: 'running', error: null } as const;
  switch (message.type) {
    case 'started':
      return { ...running, kind: 'started' };
    case 'progress':
      return { ...running, kind: 'progress', progress: message.progress };
    case 'epoch':
      return { ...running, kind: 'epoch', epoch: message.record };
    default:
      return null;
  }
}
