/**
 * The report's Methods section, written out from the runs' own configs (what was trained, not what a form
 * asked for): alignment levels and subsets, the loss L = L_CE + λ·L_AL with Eq. 1 as implemented
 * (src-main/core/model/losses.ts), the optimiser, the metrics and subgroups of docs/metrics.md, and the hit rate.
 */
import type { TrainConfig } from '../../api/training-schemas';
import { percent } from '../evaluation/charts/common';
import { presets } from '../model/config';
import { trainDefaults } from '../training/train-defaults';
import { escapeMarkup } from './markup';

export interface MethodsContext {
  /** Configs of the study's runs that this build can read. */
  readonly configs: readonly TrainConfig[];
  readonly finding: string;
  readonly ageThreshold: number;
  readonly threshold: number;
}

/** Distinct values in first-seen order, as text ('1e-3, 5e-4'); '—' when none. */
function distinct<T>(values: readonly T[], show: (v: T) => string = String): string {
  const shown = [...new Set(values.map(show))];
  return shown.length === 0 ? '—' : shown.join(', ');
}

/** The Methods section as HTML (paragraphs and lists; every value escaped). */
export function methodsHtml({ configs, finding, ageThreshold, threshold }: MethodsContext): string {
  const e = escapeMarkup;
  const levels = [...new Set(configs.map((c) => c.alignment))].sort((a, b) => a - b);
  const ratios = [...new Set(configs.map((c) => c.dataRatio))].sort((a, b) => a - b);
  const random = configs.some((c) => c.randomAlignment);
  const lambdas = distinct(configs, (c) => String(c.lambda ?? trainDefaults(c.preset).lambda));
  const rates = distinct(configs, (c) => String(c.learningRate ?? trainDefaults(c.preset).learningRate));
  const regions = distinct(configs, (c) => c.alignmentRegion);
  const model = distinct(configs, (c) => {
    const p = presets[c.preset];
    const side = c.imageSize ?? p.imageSize;
    return `${c.preset} (ViT: image ${side}×${side}, patch ${p.patchSize}, width ${p.width}, depth ${p.depth}, heads ${p.heads})`;
  });
  return `
<p>Each run trains the <em>aligner</em> — ${e(model)} — from scratch to classify <strong>${e(finding)}</strong> on its
training sources (${e(distinct(configs.flatMap((c) => c.train)))}), picks its best epoch by the validation AUC on
${e(distinct(configs.flatMap((c) => c.validation)))}, and scores the out-of-domain test sources
(${e(distinct(configs.flatMap((c) => c.test)))}) with that checkpoint.</p>
<h3>Alignment levels</h3>
<p>The alignment level <em>f</em> is the share of the training images whose human annotation is used by the
alignment loss; the training set is the same at every level and the aligned subset is drawn with the run's seed.
Levels in this study: ${e(levels.map(percent).join(', ') || '—')}. Training-data ratios: ${e(ratios.map(percent).join(', ') || '—')}
(a seeded, label-stratified subset of the training images).${
    random
      ? ' Random-alignment ablation: each aligned image gets a random shape at a random place as its target, anew every epoch.'
      : ''
  } Seeds: ${e(distinct(configs.map((c) => c.seed)))}; each seed makes a run repeatable on the same backend.</p>
<h3>Loss</h3>
<p><strong>L = L<sub>CE</sub> + λ·L<sub>AL</sub></strong>, λ = ${e(lambdas)}. L<sub>CE</sub> is the binary
cross-entropy with logits over the known labels. L<sub>AL</sub> is Eq. 1 of the paper, computed per image and
finding only for images that are positive, carry a human annotation and belong to the aligned subset, and averaged
over those images of the batch (0 when none):</p>
<p class="eq">L<sub>AL</sub> = 1 − (2 Σ Y·P + α + ε) / (Σ (Y + P) + (w<sub>FP</sub> − 1) Σ FP + α + ε),
&nbsp; FP<sub>i</sub> = P<sub>i</sub>·(1 − Y<sub>i</sub>)</p>
<p>with P the aligner's refined attention map in [0, 1] at mask resolution, Y the rasterised human region (the union
of every annotator's regions), w<sub>FP</sub> = 2, α = 1, ε = 10<sup>−6</sup>. Sums run over
${regions === 'image' ? 'every pixel of the map (the default reading, in which false-positive mass outside the region is penalised)' : `the pixels chosen by alignmentRegion = ${e(regions)} ('image': every pixel; 'annotated': the annotated pixels Ω⁺ only, the paper's literal notation)`}.
Optimiser AdamW, learning rate ${e(rates)}, weight decay ${e(distinct(configs, (c) => String(c.weightDecay)))},
batch ${e(distinct(configs, (c) => String(c.batchSize)))}, up to ${e(distinct(configs, (c) => String(c.epochs)))}
epochs with early stopping after ${e(distinct(configs, (c) => String(c.patience)))} epochs without a better
validation AUC; augmentation ${e(distinct(configs, (c) => (c.augment ? 'on' : 'off')))}.</p>
<h3>Metrics</h3>
<ul>
<li>A score ≥ ${e(String(threshold))} is a positive call. Per test source and subgroup: AUC (ROC, Mann–Whitney U / (P·N),
ties ½, as scikit-learn), accuracy (TP + TN) / n, F1 = 2TP / (2TP + FP + FN), sensitivity TP / (TP + FN),
specificity TN / (TN + FP). A metric that is undefined for a group (e.g. the AUC of a group with one class) is left
out, never counted as 0 or 0.5.</li>
<li>Subgroups: sex (F, M, other; unknown left out) and age binarised at ${e(String(ageThreshold))} years
(&lt;${e(String(ageThreshold))}, ≥${e(String(ageThreshold))}; unknown left out); the view position where a source has two or more.</li>
<li>Fairness gap of a metric = best subgroup − worst subgroup, per run; shown as AUC × 100 and accuracy,
sensitivity, F1 in % (the paper's Table 2 units). Worst-group AUC: the lowest subgroup AUC.</li>
<li>Hit rate (pointing game, as CheXlocalize defines it): over the positive test images with a non-empty human
region, the share whose attention-map peak — the map upsampled bilinearly to the image size, first maximum —
falls inside the human region (the union of every annotator's regions). Hit-rate gap: best − worst subgroup.</li>
<li>mIoU: mean IoU of the Otsu-thresholded, min–max normalised upsampled map with the human region.</li>
<li>Over seeds: each quantity is taken per run and summarised as mean ± sample standard deviation (n − 1) over the
runs of a condition (alignment level × data ratio × ablation) where it is defined.</li>
</ul>`;
}
