import { readFileSync } from 'node:fs';
import { expandStudy, type Reproduction } from '../../api/study-schemas';
import type { WorkspaceDb } from '../../core/db/open-workspace';
import { nodeLauncher } from '../../core/process/launcher';
import { builtEntry } from '../../core/runtime-paths';
import { matchBundle, type BundleMatch } from '../../core/study/bundle/match-bundle';
import { readStudyBundle, type StudyBundle } from '../../core/study/bundle/read-bundle';
import { compareWithBundle, describeReproduction } from '../../core/study/bundle/reproduction';
import { assertStudy } from '../../core/study/check-study';
import { StudyRunner, type RunnerEvent } from '../../core/study/study-runner';
import {
  createStudy,
  ownedElsewhere,
  readStudy,
  requeueStopped,
  setConcurrency,
  setStudyState,
  studyRunRows,
  summariseStudy,
} from '../../core/study/study-store';
import { durationText, estimateStudy, probeTiming, timingProbeOf } from '../../core/study/timing';
import type { TrainerDeps } from '../../core/training/launch-run';
import type { RunRow } from '../../core/training/run-store';
import { CliError } from '../cli-error';
import type { Command, CommandResult } from '../command';

const runUsage =
  'aligner study run CONFIG.json | --bundle FILE.tar.gz [--import-regions] [--concurrency N] [--db PATH] [--json]';
const resumeUsage = 'aligner study resume STUDY_ID [--retry-failed] [--concurrency N] [--db PATH] [--json]';

export const studyRunCommand: Command = {
  path: ['study', 'run'],
  summary:
    'check a study file against the workspace, estimate its time, queue all its runs and train them one after another',
  usage: runUsage,
  options: {
    concurrency: { type: 'string' },
    bundle: { type: 'string' },
    'import-regions': { type: 'boolean', default: false },
  },
  run: async ({ values, positionals, workspace, log }) => {
    const bundleFile = typeof values.bundle === 'string' ? values.bundle : null;
    if (bundleFile === null && positionals.length !== 1) throw new CliError(`give one study file; usage: ${runUsage}`);
    if (bundleFile !== null && positionals.length > 0)
      throw new CliError(`give a study file or --bundle, not both; usage: ${runUsage}`);
    if (bundleFile === null && values['import-regions'] === true)
      throw new CliError(`--import-regions goes with --bundle; usage: ${runUsage}`);
    const concurrency = concurrencyOf(values.concurrency);
    const ws = workspace();
    const bundle = bundleFile === null ? null : readStudyBundle(bundleFile);
    let raw: unknown;
    if (bundle === null) raw = readJson(positionals[0] as string);
    else {
      const match = matchBundle(ws.db, bundle, { importRegions: values['import-regions'] === true });
      describeMatch(bundle, match, log);
      raw = match.config;
    }
    const { config, plan } = assertStudy(ws.db, raw);
    const deps = trainerDeps();
    const specs = expandStudy(config);
    log(
      `study: ${specs.length} runs (${config.levels.length} level${plural(config.levels.length)} × ${config.seeds.length} ` +
        `seed${plural(config.seeds.length)}${config.dataRatios.length > 1 ? ` × ${config.dataRatios.length} data ratios` : ''}` +
        `${config.randomAlignment ? ', with the random-alignment arm' : ''}); ${plan.positives} positive training images, ` +
        `${plan.annotated} with a region; timing the ${config.preset} preset on ${config.backend}…`,
    );
    const timing = await probeTiming(deps, timingProbeOf(config));
    const estimate = estimateStudy(config, plan, timing);
    log(
      `study: estimate ${durationText(estimate.totalSeconds)} at most on ${estimate.backend} ` +
        `(${estimate.secondsPerStep} s per step of ${config.batchSize} images, ${durationText(estimate.secondsPerRun)} per run ` +
        `of ${config.epochs} epochs; early stopping ends runs sooner)`,
    );
    const studyId = createStudy(ws.db, config, specs, {
      estimate,
      concurrency: concurrency ?? 1,
      bundle: bundle?.manifest ?? null,
    });
    log(`study ${studyId}: ${specs.length} runs queued; if it stops, continue with 'aligner study resume ${studyId}'`);
    const result = await drive(ws, studyId, deps, concurrency, log);
    return bundle === null ? result : withReproduction(result, compareWithBundle(ws.db, studyId, bundle.manifest));
  },
};

/** What the bundle matched here: on stderr before the study starts. */
function describeMatch(bundle: StudyBundle, match: BundleMatch, log: (line: string) => void): void {
  const { manifest } = bundle;
  const renamed = match.sources.filter((s) => s.bundle !== s.local);
  log(
    `bundle: study '${manifest.study.config.name}' (${manifest.runs.length} runs, made by version ${manifest.appVersion}` +
      ` on ${manifest.runs.find((r) => r.backend !== null)?.backend ?? 'no backend yet'}); all ${bundle.images.length} images found, ` +
      `labels, training masks and every run's subsets the same` +
      (renamed.length > 0 ? `; sources here: ${renamed.map((s) => `${s.bundle} → ${s.local}`).join(', ')}` : ''),
  );
  if (match.regionsImported.regions > 0)
    log(
      `bundle: added ${match.regionsImported.regions} regions from the bundle to ${match.regionsImported.images} training images`,
    );
  for (const warning of match.warnings) log(`bundle: warning: ${warning}`);
}

/** The study's answer with how it compares with the bundle's recorded runs. */
function withReproduction(result: CommandResult, reproduction: Reproduction): CommandResult {
  return {
    ...result,
    json: { ...(result.json as Record<string, unknown>), reproduction },
    text: `${result.text}\n${describeReproduction(reproduction)}`,
  };
}

export const studyResumeCommand: Command = {
  path: ['study', 'resume'],
  summary:
    'continue a study: interrupted runs from their last checkpoint, then the rest of the queue (also after a crash or kill)',
  usage: resumeUsage,
  options: { concurrency: { type: 'string' }, 'retry-failed': { type: 'boolean', default: false } },
  run: async ({ values, positionals, workspace, log }) => {
    if (positionals.length !== 1) throw new CliError(`give one study id; usage: ${resumeUsage}`);
    const studyId = studyIdOf(positionals[0] as string);
    const concurrency = concurrencyOf(values.concurrency);
    const ws = workspace();
    const study = readStudy(ws.db, studyId);
    if (ownedElsewhere(study)) {
      throw new CliError(
        `study ${studyId} is being run by another process (${study.owner ?? '?'}); pause it there first`,
      );
    }
    const deps = trainerDeps();
    const requeued = requeueStopped(ws.db, studyId, { cancelled: true, failed: values['retry-failed'] === true });
    setStudyState(ws.db, studyId, 'active');
    if (concurrency !== undefined) setConcurrency(ws.db, studyId, concurrency);
    const runs = studyRunRows(ws.db, studyId);
    const queued = runs.filter((r) => r.status === 'queued').length;
    log(
      `study ${studyId}: ${queued} run${plural(queued)} to train` +
        (requeued.length > 0
          ? ` (${requeued.length} taken up again from their last checkpoint: ${requeued.map((id) => `run ${id}`).join(', ')})`
          : ''),
    );
    return drive(ws, studyId, deps, concurrency, log);
  },
};

/** Trains the study until nothing is left to take; Ctrl+C stops the current run(s) after their step. */
async function drive(
  ws: WorkspaceDb,
  studyId: number,
  deps: TrainerDeps,
  concurrency: number | undefined,
  log: (line: string) => void,
): Promise<CommandResult> {
  const runs = studyRunRows(ws.db, studyId);
  const position = new Map(runs.map((r, i) => [r.id, i + 1]));
  const runner = new StudyRunner(ws, studyId, deps, {
    ...(concurrency === undefined ? {} : { concurrency }),
    onEvent: progressLogger(ws, studyId, runs, position, log),
  });
  const onSignal = (): void => {
    log(
      `study ${studyId}: stopping after the current step (Ctrl+C again to kill); continue with 'aligner study resume ${studyId}'`,
    );
    runner.interrupt();
    process.once('SIGINT', () => {
      runner.kill();
      process.exit(130);
    });
  };
  process.once('SIGINT', onSignal);
  let outcome;
  try {
    outcome = await runner.run();
  } finally {
    process.removeListener('SIGINT', onSignal);
  }
  const json = {
    studyId,
    runs: outcome.total,
    done: outcome.counts.done,
    failed: outcome.counts.failed,
    seconds: outcome.seconds,
    status: outcome.status,
  };
  const text =
    `study ${studyId} ${outcome.status}: ${outcome.counts.done} of ${outcome.total} runs done` +
    (outcome.counts.failed > 0
      ? `, ${outcome.counts.failed} failed (retry: aligner study resume ${studyId} --retry-failed)`
      : '') +
    (outcome.counts.queued > 0 ? `, ${outcome.counts.queued} still queued` : '') +
    (outcome.counts.cancelled > 0 ? `, ${outcome.counts.cancelled} cancelled` : '') +
    ` (${durationText(outcome.seconds)})`;
  return {
    json,
    text,
    exitCode: outcome.interrupted ? 130 : outcome.counts.failed > 0 ? 1 : 0,
  };
}

/** Progress on stderr: each run's start and end, each epoch, and the step at most every 5 s. */
function progressLogger(
  ws: WorkspaceDb,
  studyId: number,
  runs: readonly RunRow[],
  position: ReadonlyMap<number, number>,
  log: (line: string) => void,
): (event: RunnerEvent) => void {
  const total = runs.length;
  const byId = new Map(runs.map((r) => [r.id, r]));
  let lastStep = 0;
  const label = (runId: number): string => `study ${studyId}: run ${position.get(runId) ?? '?'}/${total}`;
  const describe = (runId: number): string => {
    const c = byId.get(runId)?.config;
    if (!c) return `run ${runId}`;
    return `run ${runId}: level ${c.alignment}${c.randomAlignment ? ' (random)' : ''}, seed ${c.seed}${c.dataRatio === 1 ? '' : `, data ratio ${c.dataRatio}`}`;
  };
  return (event) => {
    switch (event.kind) {
      case 'run-started':
        log(`${label(event.runId)} (${describe(event.runId)}) started`);
        break;
      case 'run-message': {
        const m = event.message;
        if (m.type === 'started') {
          log(
            `${label(event.runId)} on ${m.backend}; ${m.trainImages} training images, ${m.alignedImages} aligned` +
              (m.fromEpoch > 0 ? `; resuming at epoch ${m.fromEpoch + 1}` : ''),
          );
        } else if (m.type === 'epoch') {
          const r = m.record;
          const epochs = byId.get(event.runId)?.config.epochs ?? 0;
          log(
            `${label(event.runId)} epoch ${r.epoch + 1}/${epochs}: CE ${r.lossCe.toFixed(4)}, L_AL ${r.lossAl.toFixed(4)}, ` +
              `validation AUC ${fmt(r.valAuc)} (${r.seconds} s)`,
          );
        } else if (m.type === 'progress') {
          const now = performance.now();
          if (now - lastStep < 5000) break;
          lastStep = now;
          const p = m.progress;
          log(`${label(event.runId)} epoch ${p.epoch + 1}/${p.epochs} step ${p.step}/${p.steps}`);
        } else if (m.type === 'log') {
          log(`${label(event.runId)}: ${m.message}`);
        }
        break;
      }
      case 'run-finished': {
        const o = event.outcome;
        const summary = ws.db.open
          ? summariseStudy(ws.db, readStudy(ws.db, studyId), studyRunRows(ws.db, studyId), true)
          : null;
        const where = summary
          ? `; ${summary.counts.done + summary.counts.failed} of ${summary.total} finished` +
            (summary.etaSeconds !== null && summary.etaSeconds > 0
              ? `, ~${durationText(summary.etaSeconds)} left at most`
              : '')
          : '';
        const what = event.requeued
          ? 'stopped; queued again'
          : o.status === 'failed'
            ? `failed: ${o.error ?? 'unknown error'}`
            : `${o.status}: best epoch ${o.bestEpoch === null ? '—' : o.bestEpoch + 1}, validation AUC ${fmt(o.valAuc)}, test AUC ${fmt(o.testAuc)} (${o.seconds} s)`;
        log(`${label(event.runId)} ${what}${where}`);
        break;
      }
      case 'state':
        log(`study ${studyId}: ${event.state}`);
        break;
    }
  };
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new CliError(`${file} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function trainerDeps(): TrainerDeps {
  const trainerModule = builtEntry('trainer-process.js');
  if (!trainerModule) throw new Error('trainer-process.js is missing next to the CLI: run `npm run build:only`');
  return { launcher: nodeLauncher, trainerModule };
}

function concurrencyOf(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || !Number.isInteger(n) || n < 1 || n > 16) {
    throw new CliError(`--concurrency must be a whole number from 1 to 16; got '${String(value)}'`);
  }
  return n;
}

export function studyIdOf(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new CliError(`a study id is a positive integer; got '${value}'`);
  return n;
}

function plural(n: number): string {
  return n === 1 ? '' : 's';
}

function fmt(value: number | null): string {
  return value === null ? '—' : value.toFixed(3);
}
