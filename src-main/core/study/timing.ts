import type { StudyConfig, StudyEstimate, StudyPlan } from '../../api/study-schemas';
import { expandStudy } from '../../api/study-schemas';
import { InputError } from '../input-error';
import type { TrainerDeps } from '../training/launch-run';
import { fromTrainerSchema, type TimingProbe } from '../training/trainer-protocol';

/** What the trainer's timing probe measured. */
export interface TimingResult {
  readonly backend: string;
  readonly device: string | null;
  readonly readySeconds: number;
  readonly secondsPerStep: number;
  readonly secondsPerImageScored: number;
}

/** The probe a study needs: its preset, image size and batch on its backend, for its one finding. */
export function timingProbeOf(study: StudyConfig): TimingProbe {
  return {
    preset: study.preset,
    imageSize: study.imageSize,
    batchSize: study.batchSize,
    findings: [study.finding],
    backend: study.backend,
  };
}

/**
 * Runs the timing probe in a trainer process (the same entry and backend
 * selection as a run). Seconds for micro, ~20 s for tiny on wasm.
 *
 * @throws InputError when the backend is not available (the trainer's own message)
 */
export function probeTiming(deps: TrainerDeps, probe: TimingProbe): Promise<TimingResult> {
  return new Promise((resolve, reject) => {
    const child = deps.launcher(deps.trainerModule, []);
    let settled = false;
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      outcome();
      setTimeout(() => child.kill(), 2000).unref();
    };
    child.onMessage((raw) => {
      const parsed = fromTrainerSchema.safeParse(raw);
      if (!parsed.success) return;
      const message = parsed.data;
      if (message.type === 'timing') {
        const { type: _type, ...timing } = message;
        finish(() => resolve(timing));
      } else if (message.type === 'error') {
        finish(() =>
          reject(
            message.inputError
              ? new InputError(message.message, 'backend')
              : new Error(`the timing probe failed: ${message.message}`),
          ),
        );
      }
    });
    child.onExit((code) =>
      finish(() => reject(new Error(`the timing probe's process exited (code ${code}) before reporting`))),
    );
    child.postMessage({ type: 'probe', probe });
  });
}

/**
 * Every run of the study trained for all its epochs: a trainer start, per epoch the training steps of its
 * share of the training images and the scoring of the validation source, and the test sources scored once.
 * An upper bound: early stopping (patience) usually ends runs sooner.
 */
export function estimateStudy(study: StudyConfig, plan: StudyPlan, timing: TimingResult): StudyEstimate {
  const epochSeconds = (ratio: number): number =>
    (Math.max(1, Math.round(ratio * plan.trainImages)) / study.batchSize) * timing.secondsPerStep +
    plan.validationImages * timing.secondsPerImageScored;
  const runSeconds = (ratio: number): number =>
    timing.readySeconds + study.epochs * epochSeconds(ratio) + plan.testImages * timing.secondsPerImageScored;
  const total = expandStudy(study).reduce((sum, spec) => sum + runSeconds(spec.dataRatio), 0);
  return {
    backend: timing.backend,
    device: timing.device,
    secondsPerStep: timing.secondsPerStep,
    secondsPerImageScored: timing.secondsPerImageScored,
    secondsPerRunStart: timing.readySeconds,
    secondsPerEpoch: round(epochSeconds(1)),
    secondsPerRun: round(runSeconds(1)),
    totalSeconds: round(total),
    trainImages: plan.trainImages,
    validationImages: plan.validationImages,
    testImages: plan.testImages,
    probedAt: new Date().toISOString(),
  };
}

/** Seconds as a person reads them: 45 s, 12 min, 3.4 h, 2.1 days. */
export function durationText(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} days`;
}

function round(seconds: number): number {
  return Math.round(seconds * 100) / 100;
}
