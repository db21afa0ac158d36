/**
 * The report's per-run part: every run of the study with its status and training figures from the runs table
 * and, for a finished run, its evaluation on each out-of-domain test source for the report's finding (the same
 * evaluation the Fairness summary aggregates: run-evaluation.ts).
 */
import type Database from 'better-sqlite3';
import type { RunReport, RunSourceReport } from '../../api/report-schemas';
import type { GroupMetrics } from '../evaluation/classification';
import type { Finding } from '../library/findings';
import { conditionLabel } from '../evaluation/charts/common';
import { conditionKey } from '../evaluation/fairness-summary';
import { evaluateRun, RegionStore, type EvaluationOptions, type SourceEvaluation } from '../evaluation/run-evaluation';
import type { StudyRun } from './study-record';

type Performance = RunSourceReport['performance'];

function performanceOf(m: Pick<GroupMetrics, keyof Performance>): Performance {
  return { auc: m.auc, accuracy: m.accuracy, f1: m.f1, sensitivity: m.sensitivity, specificity: m.specificity };
}

/** A source's evaluation in the report's (JSON) shape. */
export function sourceReport(s: SourceEvaluation): RunSourceReport {
  return {
    source: s.source,
    n: s.metrics.n,
    positives: s.metrics.positives,
    performance: performanceOf(s.metrics),
    hitRate: s.hitRate,
    hits: s.hits,
    hitImages: s.hitImages,
    miou: s.miou,
    attributes: s.attributes.map((a) => ({
      attribute: a.attribute,
      gaps: { ...performanceOf(a.gaps), worstGroupAuc: a.gaps.worstGroupAuc },
      hitRateGap: a.hitRateGap,
      groups: a.groups.map((g) => ({
        value: g.value,
        n: g.metrics.n,
        positives: g.metrics.positives,
        performance: performanceOf(g.metrics),
        hitRate: g.hitRate,
        hitImages: g.hitImages,
      })),
    })),
  };
}

/**
 * Every run of the study, in id order. Only finished runs (status 'done') whose config lists the finding are
 * evaluated; the others keep an empty `sources`. Yields to the event loop after each evaluation (a first one
 * upsamples attention maps at full image size).
 */
export async function runReports(
  db: Database.Database,
  runs: readonly StudyRun[],
  finding: Finding,
  options: EvaluationOptions,
  progress: (line: string) => void = () => {},
): Promise<RunReport[]> {
  const regions = new RegionStore(db);
  const out: RunReport[] = [];
  for (const run of runs) {
    const record = run.record;
    let sources: RunSourceReport[] = [];
    if (record && run.status === 'done' && record.config.findings.includes(finding)) {
      progress(`evaluating run ${run.id}`);
      sources = evaluateRun(db, record, finding, options, regions).sources.map(sourceReport);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const config = record?.config;
    out.push({
      runId: run.id,
      condition: config
        ? {
            key: conditionKey(config),
            label: conditionLabel(config),
            preset: config.preset,
            alignment: config.alignment,
            dataRatio: config.dataRatio,
            randomAlignment: config.randomAlignment,
          }
        : null,
      seed: run.seed,
      status: run.status,
      backend: run.backend,
      device: run.device,
      valAuc: run.valAuc,
      testAuc: run.testAuc,
      bestEpoch: run.bestEpoch,
      lastEpoch: run.lastEpoch,
      seconds: run.seconds,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      sources,
    });
  }
  return out;
}
