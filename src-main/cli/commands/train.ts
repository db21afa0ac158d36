import { trainConfigSchema, type TrainConfigInput } from '../../api/training-schemas';
import { builtEntry } from '../../core/runtime-paths';
import { nodeLauncher } from '../../core/process/launcher';
import { launchRun, resumeRun, type TrainerDeps } from '../../core/training/launch-run';
import type { TrainOutcome } from '../../core/training/trainer-client';
import type { FromTrainer } from '../../core/training/trainer-protocol';
import { CliError } from '../cli-error';
import type { Command, CommandInput } from '../command';
import { parseRunId } from './run-id';

const usage =
  'aligner train --task FINDING[,FINDING] --train SRC[,SRC] --val SRC[,SRC] [--test SRC[,SRC]] --alignment F ' +
  '[--random-alignment] [--use-available] [--data-ratio R] [--preset micro|tiny|small|base] [--image-size S] ' +
  '[--epochs E] [--patience P] [--batch B] [--micro-batch M] [--lr X] [--lambda L] [--weight-decay W] [--no-augment] ' +
  '[--alignment-region image|annotated] [--seed N] [--backend auto|tensorflow-gpu|tensorflow|wasm|cpu] [--db PATH] [--json]\n' +
  '       aligner train --resume RUN_ID [--db PATH] [--json]';

export const trainCommand: Command = {
  path: ['train'],
  summary:
    'train the aligner on workspace sources at an alignment fraction (in a trainer process); resume a stopped run',
  usage,
  options: {
    task: { type: 'string' },
    train: { type: 'string' },
    val: { type: 'string' },
    test: { type: 'string' },
    alignment: { type: 'string' },
    'random-alignment': { type: 'boolean', default: false },
    'use-available': { type: 'boolean', default: false },
    'data-ratio': { type: 'string' },
    preset: { type: 'string' },
    'image-size': { type: 'string' },
    epochs: { type: 'string' },
    patience: { type: 'string' },
    batch: { type: 'string' },
    'micro-batch': { type: 'string' },
    lr: { type: 'string' },
    lambda: { type: 'string' },
    'weight-decay': { type: 'string' },
    'no-augment': { type: 'boolean', default: false },
    'alignment-region': { type: 'string' },
    seed: { type: 'string' },
    backend: { type: 'string' },
    resume: { type: 'string' },
  },
  run: async (input) => {
    const { values, positionals, workspace, log } = input;
    if (positionals.length > 0) throw new CliError(`train takes no positional arguments; got '${positionals[0]}'`);
    const trainerModule = builtEntry('trainer-process.js');
    if (!trainerModule) throw new Error('trainer-process.js is missing next to the CLI: run `npm run build:only`');
    const deps: TrainerDeps = { launcher: nodeLauncher, trainerModule };
    const ws = workspace();
    const onMessage = progressLogger(log);
    const handle =
      values.resume !== undefined
        ? resumeRun(ws, parseRunId(values.resume, '--resume'), deps, onMessage)
        : launchRun(ws, readConfig(input), deps, onMessage);
    const onSignal = (): void => {
      log('train: stopping after the current step (Ctrl+C again to kill; resume with --resume)');
      handle.cancel();
      process.once('SIGINT', () => {
        handle.kill();
        process.exit(130);
      });
    };
    process.once('SIGINT', onSignal);
    let outcome: TrainOutcome;
    try {
      outcome = await handle.done;
    } finally {
      process.removeListener('SIGINT', onSignal);
    }
    if (outcome.status === 'failed' && outcome.inputError) throw new CliError(outcome.error ?? 'training refused');
    const json = {
      runId: outcome.runId,
      status: outcome.status,
      backend: outcome.backend,
      device: outcome.device,
      epochs: outcome.epochs,
      bestEpoch: outcome.bestEpoch,
      valAuc: outcome.valAuc,
      testAuc: outcome.testAuc,
      seconds: outcome.seconds,
      ...(outcome.error ? { error: outcome.error } : {}),
    };
    const text =
      outcome.status === 'failed'
        ? `run ${outcome.runId} failed: ${outcome.error ?? 'unknown error'}`
        : `run ${outcome.runId} ${outcome.status} on ${outcome.backend ?? '?'}: ${outcome.epochs} epochs, best epoch ` +
          `${outcome.bestEpoch === null ? '—' : outcome.bestEpoch + 1}, validation AUC ${fmt(outcome.valAuc)}, ` +
          `test AUC ${fmt(outcome.testAuc)}, ${outcome.seconds} s`;
    return { json, text, exitCode: outcome.status === 'done' ? 0 : outcome.status === 'cancelled' ? 130 : 1 };
  },
};

function readConfig({ values }: CommandInput): ReturnType<typeof trainConfigSchema.parse> {
  const list = (v: unknown): string[] | undefined =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : undefined;
  const num = (v: unknown, flag: string): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n))
      throw new CliError(`${flag} must be a number; got '${String(v)}'`);
    return n;
  };
  for (const [flag, key] of [
    ['--task', 'task'],
    ['--train', 'train'],
    ['--val', 'val'],
    ['--alignment', 'alignment'],
  ] as const) {
    if (values[key] === undefined) throw new CliError(`${flag} is required (or --resume RUN_ID)`);
  }
  const raw: Record<string, unknown> = {
    findings: list(values.task),
    train: list(values.train),
    validation: list(values.val),
    test: list(values.test) ?? [],
    alignment: num(values.alignment, '--alignment'),
    randomAlignment: values['random-alignment'] === true,
    onShortage: values['use-available'] === true ? 'use-available' : 'error',
    dataRatio: num(values['data-ratio'], '--data-ratio'),
    preset: values.preset,
    imageSize: num(values['image-size'], '--image-size'),
    epochs: num(values.epochs, '--epochs'),
    patience: num(values.patience, '--patience'),
    batchSize: num(values.batch, '--batch'),
    microBatch: num(values['micro-batch'], '--micro-batch'),
    learningRate: num(values.lr, '--lr'),
    lambda: num(values.lambda, '--lambda'),
    weightDecay: num(values['weight-decay'], '--weight-decay'),
    augment: values['no-augment'] !== true,
    alignmentRegion: values['alignment-region'],
    seed: num(values.seed, '--seed'),
    backend: values.backend,
  };
  const defined = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)) as TrainConfigInput;
  const parsed = trainConfigSchema.safeParse(defined);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const flag = flagOf(String(issue?.path[0] ?? ''));
    throw new CliError(`${flag}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

function flagOf(key: string): string {
  const flags: Record<string, string> = {
    findings: '--task',
    validation: '--val',
    batchSize: '--batch',
    microBatch: '--micro-batch',
    learningRate: '--lr',
    dataRatio: '--data-ratio',
    imageSize: '--image-size',
    weightDecay: '--weight-decay',
    alignmentRegion: '--alignment-region',
  };
  return flags[key] ?? `--${key}`;
}

function fmt(value: number | null): string {
  return value === null ? '—' : value.toFixed(3);
}

/** Progress lines on stderr: one per epoch, and the step at most every 5 s. */
function progressLogger(log: (line: string) => void): (message: FromTrainer) => void {
  let lastStep = 0;
  return (message) => {
    switch (message.type) {
      case 'started':
        log(
          `train: backend ${message.backend} (${message.device ?? 'device unknown'}); ${message.trainImages} training images, ` +
            `${message.alignedImages} aligned${message.fromEpoch > 0 ? `; resuming at epoch ${message.fromEpoch + 1}` : ''}`,
        );
        for (const a of message.attempts.filter((x) => !x.ok)) log(`train:   skipped ${a.backend}: ${a.reason ?? ''}`);
        break;
      case 'progress': {
        const now = performance.now();
        if (now - lastStep < 5000) break;
        lastStep = now;
        const p = message.progress;
        log(
          `train: epoch ${p.epoch + 1}/${p.epochs} step ${p.step}/${p.steps} (${p.imagesPerSecond} images/s, ~${p.etaSeconds ?? '?'} s left)`,
        );
        break;
      }
      case 'epoch': {
        const r = message.record;
        log(
          `train: epoch ${r.epoch + 1}: CE ${r.lossCe.toFixed(4)}, L_AL ${r.lossAl.toFixed(4)}, validation AUC ${fmt(r.valAuc)} (${r.seconds} s)` +
            (message.bestEpoch === r.epoch ? ' — best so far' : ''),
        );
        break;
      }
      case 'log':
        log(`train: ${message.message}`);
        break;
      default:
        break;
    }
  };
}
