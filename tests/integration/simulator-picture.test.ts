import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFrame, parseDicom } from '../../src-main/core/dicom';
import { decodeRle, generateCohort, siteNames, type AnnotationsFile } from '../../src-main/core/simulator';
import { artifactsDir, tempDir } from '../helpers/paths';

/**
 * Renders a 4 × 4 grid of simulated radiographs (one row per site) to tests/.artifacts: simulator-grid.png
 * with the exact regions outlined (nodule green, effusion blue, edema orange), the readers' polygons (red,
 * yellow) and the marker's box (cyan); simulator-grid-plain.png without overlays. Look at them after a change
 * of the simulator. The test also checks the gross anatomy of every image from its pixels.
 */
const tile = 256;
const columns = 4;
const colours = {
  nodule: [0, 230, 0],
  effusion: [0, 150, 255],
  edema: [255, 150, 0],
  readers: [
    [255, 40, 60],
    [255, 240, 0],
  ],
  marker: [0, 255, 255],
} as const;

let dir: ReturnType<typeof tempDir>;
beforeAll(() => {
  dir = tempDir('aligner-sim-picture-');
});
afterAll(() => dir.remove());

type Rgb = readonly [number, number, number] | readonly number[];

class Grid {
  readonly width = tile * columns;
  readonly height = tile * siteNames.length;
  readonly rgb = new Uint8Array(this.width * this.height * 3);
  readonly grey = new Uint8Array(this.width * this.height);

  set(gx: number, gy: number, x: number, y: number, colour: Rgb): void {
    const xi = Math.round(x);
    const yi = Math.round(y);
    if (xi < 0 || yi < 0 || xi >= tile || yi >= tile) return;
    const i = ((gy * tile + yi) * this.width + gx * tile + xi) * 3;
    this.rgb.set(colour, i);
  }

  line(gx: number, gy: number, [x0, y0]: readonly number[], [x1, y1]: readonly number[], colour: Rgb): void {
    const steps = Math.max(1, Math.ceil(Math.hypot((x1 ?? 0) - (x0 ?? 0), (y1 ?? 0) - (y0 ?? 0))));
    for (let s = 0; s <= steps; s++) {
      const t = s / steps;
      this.set(gx, gy, (x0 ?? 0) + t * ((x1 ?? 0) - (x0 ?? 0)), (y0 ?? 0) + t * ((y1 ?? 0) - (y0 ?? 0)), colour);
    }
  }
}

/** Mean display value (0..1) of a small square at (u, v), in fractions of the image. */
function meanAt(display: Float32Array, u: number, v: number): number {
  const cx = Math.round(u * tile);
  const cy = Math.round(v * tile);
  let sum = 0;
  let n = 0;
  for (let y = cy - 6; y <= cy + 6; y++)
    for (let x = cx - 6; x <= cx + 6; x++) {
      sum += display[y * tile + x] as number;
      n++;
    }
  return sum / n;
}

describe('simulator picture', () => {
  it('renders a grid of radiographs with truth outlines and annotation polygons', async () => {
    const grid = new Grid();
    for (const [gy, site] of siteNames.entries()) {
      const summary = await generateCohort({
        out: join(dir.path, site),
        n: columns,
        size: tile,
        site,
        seed: 'picture',
        prevalence: 0.45,
        annotateFraction: 1,
        annotators: 2,
        shortcut: { group: 'none', mode: 'random', markerRate: 0.5 },
      });
      const file = JSON.parse(readFileSync(join(summary.out, 'annotations.json'), 'utf8')) as AnnotationsFile;
      for (const [gx, image] of file.images.entries()) {
        const parsed = parseDicom(new Uint8Array(readFileSync(join(summary.out, image.file))));
        const stored = await decodeFrame(parsed);
        const center = parsed.meta.windowCenter[0] ?? 2048;
        const width = parsed.meta.windowWidth[0] ?? 4096;
        const display = Float32Array.from(stored.values, (v) =>
          Math.min(1, Math.max(0, (v - center + width / 2) / width)),
        );

        // Gross anatomy: dark lungs either side of a bright mediastinum, a bright abdomen below, air in the top
        // corners (the right one: the marker sits on the left).
        // The clearest of four lung zones (a finding may cloud the others).
        const lungs = Math.min(
          ...[
            [0.3, 0.32],
            [0.7, 0.32],
            [0.27, 0.5],
            [0.73, 0.5],
          ].map(([u, v]) => meanAt(display, u ?? 0, v ?? 0)),
        );
        expect(lungs, `${image.file}: lungs darker than the mediastinum`).toBeLessThan(
          meanAt(display, 0.5, 0.45) - 0.15,
        );
        expect(meanAt(display, 0.3, 0.92), `${image.file}: abdomen brighter than lung`).toBeGreaterThan(lungs + 0.15);
        expect(meanAt(display, 0.96, 0.04), `${image.file}: air in the corner`).toBeLessThan(lungs);

        for (let y = 0; y < tile; y++)
          for (let x = 0; x < tile; x++) {
            const g = Math.round((display[y * tile + x] as number) * 255);
            grid.grey[(gy * tile + y) * grid.width + gx * tile + x] = g;
            grid.set(gx, gy, x, y, [g, g, g]);
          }
        for (const [finding, entry] of Object.entries(image.findings)) {
          if (!entry.truth) continue;
          const mask = decodeRle(entry.truth.rle);
          const inside = (x: number, y: number): boolean =>
            x >= 0 && y >= 0 && x < tile && y < tile && mask[y * tile + x] === 1;
          for (let y = 0; y < tile; y++)
            for (let x = 0; x < tile; x++)
              if (inside(x, y) && !(inside(x - 1, y) && inside(x + 1, y) && inside(x, y - 1) && inside(x, y + 1)))
                grid.set(gx, gy, x, y, colours[finding as keyof typeof colours] as Rgb);
          const readers = [...new Set(entry.annotations.map((a) => a.annotator))];
          for (const a of entry.annotations) {
            const colour = colours.readers[readers.indexOf(a.annotator) % 2] ?? colours.readers[0];
            a.polygon.forEach((p, k) => grid.line(gx, gy, p, a.polygon[(k + 1) % a.polygon.length] ?? p, colour));
          }
        }
        if (image.shortcut.box) {
          const [x, y, w, h] = image.shortcut.box;
          const corners = [
            [x - 1, y - 1],
            [x + w, y - 1],
            [x + w, y + h],
            [x - 1, y + h],
          ];
          corners.forEach((c, k) => grid.line(gx, gy, c, corners[(k + 1) % 4] ?? c, colours.marker));
        }
      }
    }
    mkdirSync(artifactsDir, { recursive: true });
    const overlay = join(artifactsDir, 'simulator-grid.png');
    await sharp(grid.rgb, { raw: { width: grid.width, height: grid.height, channels: 3 } })
      .png()
      .toFile(overlay);
    await sharp(grid.grey, { raw: { width: grid.width, height: grid.height, channels: 1 } })
      .png()
      .toFile(join(artifactsDir, 'simulator-grid-plain.png'));
    expect(await sharp(overlay).metadata()).toMatchObject({ width: tile * columns, height: tile * siteNames.length });
  });
});
