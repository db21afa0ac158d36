/**
 * The report's attention gallery: for the baseline's and the most aligned level's first seed, a few positive,
 * annotated test images, each composed into one self-contained SVG panel as the Fairness view's gallery shows it
 * — the image with the human region outlined, next to the model's attention (jet heat map over the dimmed image)
 * with its peak ringed green (hit) or red (miss) — and rasterised to PNG. Images are embedded as data URLs;
 * captions carry the patient pseudonym only.
 */
import type Database from 'better-sqlite3';
import sharp from 'sharp';
import type { AttentionGalleryItem, FairnessSummary } from '../../api/fairness-schemas';
import { isBaseline, isHumanAligned } from '../evaluation/charts/common';
import { galleryRuns, groupsText, heatPixels, peakRadius, regionOutline } from '../evaluation/charts/gallery';
import { attentionGallery } from '../evaluation/attention-gallery';
import { dataUrl, escapeMarkup } from './markup';
import { svgToPng } from './svg-png';

export interface GalleryPanel {
  readonly item: AttentionGalleryItem;
  readonly svg: string;
  readonly png: Buffer;
}

export interface GalleryRun {
  readonly runId: number;
  /** 'Human alignment 100 % · seed 1 · run 7'. */
  readonly label: string;
  readonly panels: readonly GalleryPanel[];
}

export interface GalleryOptions {
  readonly finding: NonNullable<FairnessSummary['finding']>;
  readonly ageThreshold: number;
  /** Panels per run (default 6; 0: no gallery): half hits and half misses where there are enough of each. */
  readonly perRun?: number;
}

/**
 * The runs shown: the first run (by seed) of the baseline and of the human-aligned level with the highest
 * alignment, of the summary's conditions (either may be missing).
 */
export function galleryRunIds(summary: FairnessSummary): number[] {
  const baseline = summary.conditions.find(isBaseline);
  const aligned = summary.conditions.filter(isHumanAligned).sort((a, b) => b.alignment - a.alignment)[0];
  return [baseline?.runIds[0], aligned?.runIds[0]].filter((id): id is number => id !== undefined);
}

export async function renderGallery(
  db: Database.Database,
  summary: FairnessSummary,
  options: GalleryOptions,
): Promise<GalleryRun[]> {
  const perRun = options.perRun ?? 6;
  if (perRun === 0) return [];
  const labels = new Map(galleryRuns(summary).map((r) => [r.runId, r.label]));
  const out: GalleryRun[] = [];
  for (const runId of galleryRunIds(summary)) {
    const page = (outcome: 'hit' | 'miss') =>
      attentionGallery(db, {
        runId,
        finding: options.finding,
        outcome,
        ageThreshold: options.ageThreshold,
        limit: perRun,
        offset: 0,
      });
    const [hits, misses] = [(await page('hit')).items, (await page('miss')).items];
    const fromHits = Math.min(hits.length, Math.max(Math.ceil(perRun / 2), perRun - misses.length));
    const items = [...hits.slice(0, fromHits), ...misses.slice(0, perRun - fromHits)];
    const panels: GalleryPanel[] = [];
    for (const item of items) {
      const svg = panelSvg(item, await heatMapPng(item));
      panels.push({ item, svg, png: await svgToPng(svg) });
    }
    out.push({ runId, label: labels.get(runId) ?? `run ${runId}`, panels });
  }
  return out;
}

/** The g × g attention map in jet colours as a PNG (scaled up smoothly where it is drawn). */
async function heatMapPng(item: AttentionGalleryItem): Promise<Buffer> {
  const pixels = heatPixels(item.attention, item.grid);
  return sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), {
    raw: { width: item.grid, height: item.grid, channels: 4 },
  })
    .png()
    .toBuffer();
}

const panelSide = 240;
const gap = 8;
const pad = 8;
const captionHeight = 40;

/** One gallery item as an SVG document: the image and the human region, the attention and its peak, a caption. */
export function panelSvg(item: AttentionGalleryItem, heatPng: Uint8Array): string {
  const scale = panelSide / Math.max(item.columns, item.rows);
  const unit = (px: number): number => Math.round((px / scale) * 1000) / 1000;
  const width = 2 * pad + 2 * panelSide + gap;
  const height = 2 * pad + panelSide + captionHeight;
  const outcome = item.hit === 1 ? 'hit' : item.hit === 0 ? 'miss' : 'no region';
  const colour = item.hit === 1 ? '#2fbf63' : item.hit === 0 ? '#ff4040' : '#ffffff';
  const outlines = item.regions.map(regionOutline);
  const image = (opacity: number): string =>
    `<image href="${item.thumbnail}" x="0" y="0" width="${item.columns}" height="${item.rows}" ` +
    `preserveAspectRatio="none" opacity="${opacity}"/>`;
  const regions = outlines
    .map((o) =>
      o.width === null
        ? `<path d="${o.d}" fill="#ffd200" fill-opacity="0.12" stroke="#ffd200" stroke-width="${unit(1.5)}"/>`
        : `<path d="${o.d}" fill="none" stroke="${o.erase ? '#000000' : '#ffd200'}" stroke-opacity="0.4" ` +
          `stroke-width="${o.width}" stroke-linecap="round" stroke-linejoin="round"/>`,
    )
    .join('');
  const ghosts = outlines
    .filter((o) => o.width === null)
    .map(
      (o) =>
        `<path d="${o.d}" fill="none" stroke="#ffffff" stroke-opacity="0.8" stroke-width="${unit(1)}" ` +
        `stroke-dasharray="${unit(3)} ${unit(2)}"/>`,
    )
    .join('');
  const r = peakRadius(item.columns, item.rows);
  const [cx, cy] = [item.peak.x + 0.5, item.peak.y + 0.5];
  const peak =
    `<circle cx="${cx}" cy="${cy}" r="${r}" fill="none" stroke="${colour}" stroke-width="${unit(2.5)}"/>` +
    `<circle cx="${cx}" cy="${cy}" r="${r / 5}" fill="${colour}"/>`;
  const frame = (x: number, body: string): string =>
    `<g transform="translate(${x} ${pad}) scale(${scale})">` +
    `<rect width="${item.columns}" height="${item.rows}" fill="#000000"/>${body}</g>`;
  const heat =
    `<image href="${dataUrl('image/png', heatPng)}" x="0" y="0" width="${item.columns}" height="${item.rows}" ` +
    `preserveAspectRatio="none" opacity="0.7"/>`;
  const caption1 = `${outcome.toUpperCase()} · ${item.pseudonym} · ${item.label === 1 ? 'positive' : 'negative'} · score ${item.score.toFixed(3)}`;
  const groups = groupsText(item.groups);
  const caption2 = `${item.source}${groups ? ` · ${groups}` : ''}`;
  const textY = pad + panelSide + 16;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<rect width="${width}" height="${height}" fill="#ffffff"/>` +
    frame(pad, image(1) + regions) +
    frame(pad + panelSide + gap, image(0.5) + heat + ghosts + peak) +
    `<text x="${pad}" y="${textY}" font-family="sans-serif" font-size="12" font-weight="bold" fill="${item.hit === 0 ? '#c02020' : item.hit === 1 ? '#1c8a44' : '#555555'}">${escapeMarkup(caption1)}</text>` +
    `<text x="${pad}" y="${textY + 16}" font-family="sans-serif" font-size="11" fill="#555555">${escapeMarkup(caption2)}</text>` +
    `</svg>`
  );
}
