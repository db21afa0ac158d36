import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  attentionIoU,
  classificationMetrics,
  fairnessReport,
  metricNames,
  otsuThreshold,
  pointingHit,
  upsampleBilinear,
  type GroupMetrics,
} from '../../src-main/core/evaluation';
import { referencePython } from '../helpers/dicom-corpus';
import { prng } from '../helpers/dicom-prng';
import { repoRoot } from '../helpers/paths';

/**
 * Our metrics against scikit-learn (roc_auc_score, accuracy_score, f1_score, recall_score) and our pointing game
 * against a direct NumPy implementation of CheXlocalize's definition and torch.nn.functional.interpolate
 * (tests/reference/python/metrics_reference.py). Fails, never skips, when the reference cannot run.
 */
const script = join(repoRoot, 'tests', 'reference', 'python', 'metrics_reference.py');
const tolerance = 1e-9;

const metricsReply = z.object({
  auc: z.number().nullable(),
  accuracy: z.number(),
  f1: z.number(),
  sensitivity: z.number().nullable(),
  specificity: z.number().nullable(),
});
const pointingReply = z.object({
  hit: z.number().nullable(),
  hitTorch: z.number().nullable(),
  torchPeakShortfall: z.number(),
  otsu: z.number().optional(),
  iou: z.number().nullable().optional(),
});
const reply = z.object({ cases: z.array(metricsReply), pointing: z.array(pointingReply) });

interface Case {
  scores: number[];
  labels: number[];
  threshold: number;
}
interface PointingCase {
  map: number[];
  g: number;
  mask: number[];
  width: number;
  height: number;
}

function runReference(cases: Case[], pointing: PointingCase[]): z.infer<typeof reply> {
  const out = execFileSync(referencePython, [script], {
    input: JSON.stringify({ cases, pointing }),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return reply.parse(JSON.parse(out));
}

/** Random prediction sets: ties (scores on a coarse grid), tiny and single-class sets, thresholds on a score. */
function randomCases(count: number, seed: number): Case[] {
  const random = prng(seed);
  const cases: Case[] = [];
  for (let c = 0; c < count; c++) {
    const n = 1 + Math.floor(random() * (c % 5 === 0 ? 4 : 80));
    const grid = [0, 3, 10, 1000][c % 4] as number;
    const prevalence = [0, 1, 0.3, 0.5, 0.05][c % 5] as number;
    const labels = Array.from({ length: n }, () => (random() < prevalence ? 1 : 0));
    const scores = labels.map((y) => {
      const s = Math.min(1, Math.max(0, random() * 0.8 + y * 0.2));
      return grid === 0 ? s : Math.round(s * grid) / grid;
    });
    const threshold = c % 3 === 0 ? (scores[Math.floor(random() * n)] as number) : 0.5;
    cases.push({ scores, labels, threshold });
  }
  return cases;
}

function expectSame(ours: GroupMetrics, theirs: z.infer<typeof metricsReply>, what: string): void {
  for (const name of metricNames) {
    const a = ours[name];
    const b = theirs[name];
    if (b === null) expect(a, `${what} ${name}`).toBeNull();
    else {
      expect(a, `${what} ${name}`).not.toBeNull();
      expect(Math.abs((a as number) - b), `${what} ${name}: ours ${a}, scikit-learn ${b}`).toBeLessThanOrEqual(
        tolerance,
      );
    }
  }
}

describe('metrics against scikit-learn', () => {
  it('classificationMetrics equals scikit-learn on 300 random sets (ties, tiny and single-class sets)', () => {
    const cases = randomCases(300, 7);
    const theirs = runReference(cases, []).cases;
    cases.forEach((c, i) =>
      expectSame(classificationMetrics(c.scores, c.labels, c.threshold), theirs[i]!, `case ${i}`),
    );
  });

  it('fairnessReport overall and per-group metrics equal scikit-learn on each group subset', () => {
    const random = prng(11);
    const checks: { ours: GroupMetrics; what: string }[] = [];
    const cases: Case[] = [];
    for (let d = 0; d < 20; d++) {
      const n = 20 + Math.floor(random() * 200);
      const labels = Uint8Array.from({ length: n }, () => (random() < 0.3 ? 1 : 0));
      const scores = Float64Array.from(
        labels,
        (y) => Math.round((random() * 0.7 + y * 0.3) * (d % 2 ? 20 : 1e6)) / (d % 2 ? 20 : 1e6),
      );
      // Site: one tiny group and one group that has only negatives; sex with some values missing.
      const site = Int32Array.from(labels, (y, i) => (i < 3 ? 2 : y === 0 && random() < 0.2 ? 1 : 0));
      const sex = Int32Array.from({ length: n }, () => (random() < 0.1 ? -1 : random() < 0.5 ? 0 : 1));
      const attributes = [
        { name: 'site', codes: site, values: ['a', 'b', 'tiny'] },
        { name: 'sex', codes: sex, values: ['F', 'M'] },
      ];
      const threshold = d % 3 === 0 ? 0.4 : 0.5;
      const report = fairnessReport(scores, labels, attributes, { threshold, bootstrap: 0 });
      cases.push({ scores: [...scores], labels: [...labels], threshold });
      checks.push({ ours: report.overall, what: `set ${d} overall` });
      for (const attribute of attributes)
        attribute.values.forEach((value, v) => {
          const rows = [...attribute.codes.keys()].filter((i) => attribute.codes[i] === v);
          if (rows.length === 0) return;
          cases.push({ scores: rows.map((i) => scores[i]!), labels: rows.map((i) => labels[i]!), threshold });
          checks.push({ ours: report.groups[attribute.name]![value]!, what: `set ${d} ${attribute.name}=${value}` });
        });
    }
    const theirs = runReference(cases, []).cases;
    checks.forEach((check, i) => expectSame(check.ours, theirs[i]!, check.what));
  });
});

describe('hit rate and IoU against NumPy and PyTorch', () => {
  it('pointingHit equals the NumPy and torch.interpolate definitions; Otsu and IoU equal the written-out OpenCV method', () => {
    const random = prng(3);
    const items: PointingCase[] = [];
    for (let i = 0; i < 120; i++) {
      const g = 2 + Math.floor(random() * 7);
      const width = 4 + Math.floor(random() * 40);
      const height = 4 + Math.floor(random() * 40);
      // Every fourth map has few distinct values, so the upsampled map has tied maxima.
      const levels = i % 4 === 0 ? 3 : 0;
      const map = Array.from({ length: g * g }, () =>
        Math.fround(levels ? Math.floor(random() * levels) / levels : random()),
      );
      const mask = new Array<number>(width * height).fill(0);
      if (i % 10 !== 0) {
        const x0 = Math.floor(random() * width);
        const y0 = Math.floor(random() * height);
        const x1 = x0 + Math.floor(random() * (width - x0));
        const y1 = y0 + Math.floor(random() * (height - y0));
        for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) mask[y * width + x] = 1;
      }
      items.push({ map, g, mask, width, height });
    }
    const theirs = runReference([], items).pointing;
    let counted = 0;
    let torchAgrees = 0;
    items.forEach((item, i) => {
      const ref = theirs[i]!;
      const hit = pointingHit(item.map, item.g, item.mask, item.width, item.height);
      expect(hit, `image ${i}`).toBe(ref.hit);
      // PyTorch rounds differently in the last bits: where its peak is another pixel, that pixel must tie the
      // maximum to 1e-12 (a near-tie, not a different definition).
      if (ref.hitTorch !== ref.hit) expect(ref.torchPeakShortfall, `image ${i}: PyTorch's peak`).toBeLessThan(1e-12);
      else torchAgrees++;
      if (hit !== null) counted++;
      if (ref.otsu !== undefined) {
        const up = upsampleBilinear(item.map, item.g, item.width, item.height);
        let lo = Infinity;
        let hi = -Infinity;
        for (const v of up) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
        const levels = Uint8Array.from(up, (v) => Math.floor(((v - lo) / (hi - lo)) * 255));
        expect(otsuThreshold(levels), `image ${i} Otsu`).toBe(ref.otsu);
        const iou = attentionIoU(item.map, item.g, item.mask, item.width, item.height);
        if (ref.iou === null || ref.iou === undefined) expect(iou).toBeNull();
        else expect(Math.abs((iou as number) - ref.iou)).toBeLessThanOrEqual(tolerance);
      }
    });
    expect(counted).toBeGreaterThan(90);
    expect(torchAgrees).toBeGreaterThan(100);
  });
});
