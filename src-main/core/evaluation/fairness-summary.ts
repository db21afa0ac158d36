/**
 * The Fairness view's summary (issue 7): the finished runs of a workspace (or of one study) that predicted a
 * finding, evaluated per run (run-evaluation.ts), grouped into conditions — one preset × random-alignment
 * ablation × data ratio × alignment level — and summarised over their seeds as mean, sample std and count.
 */
import type Database from 'better-sqlite3';
import type {
  AttributeSummary,
  ConditionSummary,
  FairnessQuery,
  FairnessSummary,
  PerformanceSummary,
  SeedSummary,
  SourceSummary,
} from '../../api/fairness-schemas';
import { presetSchema } from '../../api/training-schemas';
import { InputError } from '../input-error';
import { findings as productFindings } from '../library/findings';
import { meanStd } from './aggregate';
import { metricNames, type GroupMetrics } from './classification';
import type { GapMetrics } from './fairness-report';
import {
  evaluateRun,
  RegionStore,
  toRunRecord,
  type RawRun,
  type RunEvaluation,
  type RunRecord,
  type SourceEvaluation,
} from './run-evaluation';

/** A run with its evaluation: the input of the aggregation. */
export interface EvaluatedRun {
  readonly run: Pick<RunRecord, 'id' | 'seed'> & {
    readonly config: Pick<RunRecord['config'], 'preset' | 'alignment' | 'dataRatio' | 'randomAlignment'>;
  };
  readonly evaluation: Pick<RunEvaluation, 'sources'>;
}

/** The identity of a run's condition, e.g. 'micro|a=0.5|r=1|random=0'. */
export function conditionKey(config: EvaluatedRun['run']['config']): string {
  return `${config.preset}|a=${config.alignment}|r=${config.dataRatio}|random=${config.randomAlignment ? 1 : 0}`;
}

const presetOrder: readonly string[] = presetSchema.options;

/** Mean, sample std and count of the non-null values (null values are runs without the quantity). */
export function summarise(values: readonly (number | null | undefined)[]): SeedSummary {
  return meanStd(values.filter((v): v is number => v !== null && v !== undefined));
}

function performanceOf(items: readonly (GroupMetrics | GapMetrics | undefined)[]): PerformanceSummary {
  const out = {} as Record<(typeof metricNames)[number], SeedSummary>;
  for (const name of metricNames) out[name] = summarise(items.map((m) => m?.[name]));
  return out;
}

/** Values in first-seen order over the runs. */
function unionInOrder<T>(lists: readonly (readonly T[])[]): T[] {
  const seen = new Set<T>();
  const out: T[] = [];
  for (const list of lists)
    for (const v of list)
      if (!seen.has(v)) {
        seen.add(v);
        out.push(v);
      }
  return out;
}

/**
 * Groups evaluated runs into conditions and summarises every quantity over the seeds of each. Conditions are
 * ordered by preset (micro, tiny, small, base), random ablation (off first), data ratio, alignment; within one,
 * runs by seed then id. Sources, attributes and subgroups appear in the order the runs list them; a quantity
 * a run does not have (a null metric, a source or group it lacks) is left out of that quantity's n.
 * n and positives of a source or subgroup are those of the first run (by seed) that has it: every seed of a
 * condition is evaluated on the same test images.
 */
export function summariseConditions(runs: readonly EvaluatedRun[]): ConditionSummary[] {
  const byKey = new Map<string, EvaluatedRun[]>();
  for (const item of runs) {
    const key = conditionKey(item.run.config);
    const list = byKey.get(key) ?? [];
    list.push(item);
    byKey.set(key, list);
  }
  const conditions: ConditionSummary[] = [];
  for (const [key, unsorted] of byKey) {
    const items = [...unsorted].sort((a, b) => a.run.seed - b.run.seed || a.run.id - b.run.id);
    const config = (items[0] as EvaluatedRun).run.config;
    const sourceNames = unionInOrder(items.map((i) => i.evaluation.sources.map((s) => s.source)));
    conditions.push({
      key,
      preset: config.preset,
      alignment: config.alignment,
      dataRatio: config.dataRatio,
      randomAlignment: config.randomAlignment,
      runIds: items.map((i) => i.run.id),
      seeds: items.map((i) => i.run.seed),
      sources: sourceNames.map((name) =>
        summariseSource(
          name,
          items.flatMap((i) => i.evaluation.sources.filter((s) => s.source === name)),
        ),
      ),
    });
  }
  return conditions.sort(
    (a, b) =>
      rank(a.preset) - rank(b.preset) ||
      Number(a.randomAlignment) - Number(b.randomAlignment) ||
      a.dataRatio - b.dataRatio ||
      a.alignment - b.alignment ||
      a.key.localeCompare(b.key),
  );
}

function rank(preset: string): number {
  const i = presetOrder.indexOf(preset);
  return i < 0 ? presetOrder.length : i;
}

/** One source over the runs of a condition that evaluated it (one SourceEvaluation per run). */
export function summariseSource(name: string, perRun: readonly SourceEvaluation[]): SourceSummary {
  const first = perRun[0];
  const attributeNames = unionInOrder(perRun.map((s) => s.attributes.map((a) => a.attribute)));
  return {
    source: name,
    n: first?.metrics.n ?? 0,
    positives: first?.metrics.positives ?? 0,
    performance: performanceOf(perRun.map((s) => s.metrics)),
    hitRate: summarise(perRun.map((s) => s.hitRate)),
    miou: summarise(perRun.map((s) => s.miou)),
    attributes: attributeNames.map((attribute): AttributeSummary => {
      const perRunAttribute = perRun.flatMap((s) => s.attributes.filter((a) => a.attribute === attribute));
      const values = unionInOrder(perRunAttribute.map((a) => a.groups.map((g) => g.value)));
      return {
        attribute,
        gaps: {
          ...performanceOf(perRunAttribute.map((a) => a.gaps)),
          worstGroupAuc: summarise(perRunAttribute.map((a) => a.gaps.worstGroupAuc)),
        },
        hitRateGap: summarise(perRunAttribute.map((a) => a.hitRateGap)),
        groups: values.map((value) => {
          const perRunGroup = perRunAttribute.flatMap((a) => a.groups.filter((g) => g.value === value));
          const firstGroup = perRunGroup[0];
          return {
            value,
            n: firstGroup?.metrics.n ?? 0,
            positives: firstGroup?.metrics.positives ?? 0,
            performance: performanceOf(perRunGroup.map((g) => g.metrics)),
            hitRate: summarise(perRunGroup.map((g) => g.hitRate)),
          };
        }),
      };
    }),
  };
}

/**
 * The summary for a query: which finding (the query's, or the first with evaluated runs), the runs in scope
 * (status 'done', of the study when one is given) that list it, each evaluated, grouped and summarised.
 * A run in scope that lists the finding but yields nothing to evaluate is in `skipped` with the reason.
 * Yields to the event loop after each run: a first evaluation upsamples maps to full image size, and the host's
 * other calls (the main process of the desktop app) should not wait for all of it.
 */
export async function fairnessSummary(db: Database.Database, query: FairnessQuery): Promise<FairnessSummary> {
  if (query.studyId !== null && db.prepare('SELECT 1 FROM studies WHERE id = ?').get(query.studyId) === undefined)
    throw new InputError(`there is no study ${query.studyId}`, 'studyId');
  const runs: RunRecord[] = [];
  // A run whose stored config this build cannot read is reported, not allowed to sink the whole summary.
  const unreadable: FairnessSummary['skipped'] = [];
  for (const row of db
    .prepare(
      `SELECT id, study_id, seed, status, config FROM runs
       WHERE status = 'done' AND (? IS NULL OR study_id = ?) ORDER BY id`,
    )
    .all(query.studyId, query.studyId) as RawRun[]) {
    try {
      runs.push(toRunRecord(row));
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      unreadable.push({ runId: row.id, reason: err.message });
    }
  }
  const evaluated = findingsWithEvaluations(
    db,
    runs.map((r) => r.id),
  );
  const finding = query.finding ?? evaluated[0] ?? null;
  const base = {
    finding,
    findings: evaluated,
    studyId: query.studyId,
    ageThreshold: query.ageThreshold,
    threshold: query.threshold,
  };
  if (finding === null) {
    return {
      ...base,
      conditions: [],
      skipped: [...unreadable, ...runs.map((r) => ({ runId: r.id, reason: skipReason(db, r, null) }))].sort(
        (a, b) => a.runId - b.runId,
      ),
    };
  }
  const regions = new RegionStore(db);
  const options = { ageThreshold: query.ageThreshold, threshold: query.threshold };
  const items: EvaluatedRun[] = [];
  const skipped: FairnessSummary['skipped'] = [];
  for (const run of runs) {
    if (!run.config.findings.includes(finding)) continue;
    const evaluation = evaluateRun(db, run, finding, options, regions);
    await new Promise((resolve) => setImmediate(resolve));
    if (evaluation.sources.length === 0) skipped.push({ runId: run.id, reason: skipReason(db, run, finding) });
    else items.push({ run, evaluation });
  }
  return {
    ...base,
    conditions: summariseConditions(items),
    skipped: [...unreadable, ...skipped].sort((a, b) => a.runId - b.runId),
  };
}

/** Findings (product order) that some of the runs predicted on an image labelled for it. */
function findingsWithEvaluations(db: Database.Database, runIds: readonly number[]): FairnessSummary['findings'] {
  if (runIds.length === 0) return [];
  const present = new Set(
    db
      .prepare(
        `SELECT DISTINCT p.finding FROM predictions p
         WHERE p.run_id IN (SELECT value FROM json_each(?))
           AND EXISTS (SELECT 1 FROM labels l WHERE l.image_id = p.image_id AND l.finding = p.finding)`,
      )
      .pluck()
      .all(JSON.stringify(runIds)) as string[],
  );
  return productFindings.filter((f) => present.has(f));
}

function skipReason(db: Database.Database, run: RunRecord, finding: string | null): string {
  if (run.config.test.length === 0) return 'the run has no test sources, so it made no test predictions';
  const predictions = db.prepare('SELECT count(*) FROM predictions WHERE run_id = ?').pluck().get(run.id) as number;
  if (predictions === 0) return 'no test predictions were recorded for the run';
  if (finding === null) return 'no test prediction has a label for its finding';
  return `no test image the run scored has a ${finding} label`;
}
