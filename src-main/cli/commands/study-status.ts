import { failOrphanedRuns } from '../../core/training/run-store';
import {
  listStudyRows,
  listUnreadableStudies,
  readStudy,
  studyRunRows,
  summariseStudy,
  sweepPlace,
} from '../../core/study/study-store';
import { compareWithBundle, describeReproduction } from '../../core/study/bundle/reproduction';
import { durationText } from '../../core/study/timing';
import { CliError } from '../cli-error';
import type { Command } from '../command';
import { studyIdOf } from './study-run';

const statusUsage = 'aligner study status STUDY_ID [--db PATH] [--json]';

export const studyStatusCommand: Command = {
  path: ['study', 'status'],
  summary: "a study's progress: each run's status and results, counts, and the time left",
  usage: statusUsage,
  options: {},
  run: ({ positionals, workspace }) => {
    if (positionals.length !== 1) throw new CliError(`give one study id; usage: ${statusUsage}`);
    const studyId = studyIdOf(positionals[0] as string);
    const db = workspace().db;
    failOrphanedRuns(db);
    const study = readStudy(db, studyId);
    const runs = studyRunRows(db, studyId);
    const summary = summariseStudy(db, study, runs, false);
    const json = {
      studyId,
      name: summary.name,
      status: summary.status,
      state: summary.state,
      total: summary.total,
      counts: summary.counts,
      fraction: round(summary.fraction, 4),
      etaSeconds: summary.etaSeconds,
      estimate: summary.estimate,
      owner: summary.owner,
      createdAt: summary.createdAt,
      config: summary.config,
      runs: runs.map((run, index) => ({
        runId: run.id,
        ...sweepPlace(run, index),
        status: run.status,
        epochs: run.lastEpoch === null ? 0 : run.lastEpoch + 1,
        bestEpoch: run.bestEpoch,
        valAuc: run.valAuc,
        testAuc: run.testAuc,
        seconds: run.seconds,
        error: run.error,
      })),
      reproduction: study.bundle === null ? null : compareWithBundle(db, studyId, study.bundle),
    };
    const c = summary.counts;
    const lines = [
      `study ${studyId} '${summary.name}': ${summary.status}; ${c.done} done, ${c.failed} failed, ${c.running} running, ` +
        `${c.queued} queued, ${c.cancelled} cancelled of ${summary.total}` +
        (summary.etaSeconds !== null && summary.etaSeconds > 0
          ? `; ~${durationText(summary.etaSeconds)} left at most`
          : ''),
      '',
      ' run  level  seed  ratio  arm     status     epochs  val AUC  test AUC',
      ...json.runs.map(
        (r) =>
          `${String(r.runId).padStart(4)}  ${r.level.toFixed(2).padStart(5)}  ${String(r.seed).padStart(4)}  ` +
          `${r.dataRatio.toFixed(2).padStart(5)}  ${(r.randomAlignment ? 'random' : 'human').padEnd(6)}  ` +
          `${r.status.padEnd(9)}  ${String(r.epochs).padStart(6)}  ${fmt(r.valAuc).padStart(7)}  ${fmt(r.testAuc).padStart(8)}` +
          (r.error && r.status === 'failed' ? `  ${r.error}` : ''),
      ),
      ...(json.reproduction === null ? [] : ['', describeReproduction(json.reproduction)]),
    ];
    return { json, text: lines.join('\n') };
  },
};

export const studyListCommand: Command = {
  path: ['study', 'list'],
  summary: 'the studies of the workspace with their progress',
  usage: 'aligner study list [--db PATH] [--json]',
  options: {},
  run: ({ positionals, workspace }) => {
    if (positionals.length > 0) throw new CliError(`study list takes no arguments; got '${positionals[0]}'`);
    const db = workspace().db;
    failOrphanedRuns(db);
    const studies = listStudyRows(db).map((study) => {
      const s = summariseStudy(db, study, studyRunRows(db, study.id), false);
      return {
        studyId: s.id,
        name: s.name,
        finding: s.config.finding,
        status: s.status,
        total: s.total,
        done: s.counts.done,
        failed: s.counts.failed,
        etaSeconds: s.etaSeconds,
        createdAt: s.createdAt,
      };
    });
    const unreadable = listUnreadableStudies(db).map((s) => ({ studyId: s.id, name: s.name, reason: s.reason }));
    const lines = [
      ...studies.map(
        (s) =>
          `${String(s.studyId).padStart(4)}  ${s.name}  (${s.finding})  ${s.status}  ${s.done}/${s.total} done` +
          (s.failed > 0 ? `, ${s.failed} failed` : '') +
          (s.etaSeconds !== null && s.etaSeconds > 0 ? `  ~${durationText(s.etaSeconds)} left` : ''),
      ),
      ...unreadable.map((s) => `${String(s.studyId).padStart(4)}  ${s.name}  unreadable: ${s.reason}`),
    ];
    const text = lines.length === 0 ? 'no studies in this workspace' : lines.join('\n');
    return { json: { studies, unreadable }, text };
  },
};

function fmt(value: number | null): string {
  return value === null ? '—' : value.toFixed(3);
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
