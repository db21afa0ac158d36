/**
 * Regions as CheXlocalize-style polygon JSON (the format `aligner annotations import` reads, see
 * parse-chexlocalize-json.ts): `{ "<image key>": { "<task name>": [ [[x, y], …], … ], "img_size": [rows, cols] } }`.
 *
 * The format knows only filled polygons. Polygons are written as drawn, rectangles as their four corners,
 * ellipses as 72-vertex polygons; an image and finding with brush or eraser strokes is written as the outer
 * boundaries of its rasterised mask (exact to the pixel; holes, which the format cannot carry, are filled).
 * The image key is the file name without its extension (what the importer matches first); the readers of an
 * image and finding are united.
 */
import type { RegionGeometry } from '../../api/annotation-schemas';
import { imageStem } from './region-import/match-images';
import { unionByAnnotator, type ReaderRegion } from './region-union';
import { traceOuterContours, type Contour } from './trace-contours';

/** CheXlocalize task names (CheXpert observations) of our findings. */
export const chexlocalizeTaskNames: Readonly<Record<string, string>> = {
  nodule: 'Lung Lesion',
  effusion: 'Pleural Effusion',
  edema: 'Edema',
};

export interface ChexlocalizeImage {
  readonly originalName: string;
  readonly rows: number;
  readonly cols: number;
  readonly findings: Readonly<Record<string, readonly ReaderRegion[]>>;
}

export type ChexlocalizeDocument = Record<string, Record<string, Contour[] | [number, number]>>;

const ellipseVertices = 72;

/** Two images with the same key: the later ones get `_<n>` appended (reported by the caller via the keys). */
export function chexlocalizeDocument(images: readonly ChexlocalizeImage[]): ChexlocalizeDocument {
  const document: ChexlocalizeDocument = {};
  for (const image of images) {
    const stem = imageStem(image.originalName);
    let key = stem;
    for (let n = 2; key in document; n++) key = `${stem}_${n}`;
    const entry: Record<string, Contour[] | [number, number]> = {};
    for (const [finding, regions] of Object.entries(image.findings)) {
      const task = chexlocalizeTaskNames[finding];
      if (task === undefined || regions.length === 0) continue;
      const contours = regions.some((r) => r.geometry.kind === 'stroke')
        ? tracedContours(regions, image)
        : regions.map((r) => polygonOf(r.geometry));
      if (contours.length > 0) entry[task] = contours;
    }
    if (Object.keys(entry).length === 0) continue;
    entry.img_size = [image.rows, image.cols];
    document[key] = entry;
  }
  return document;
}

/** A polygon, rectangle or ellipse as a closed polygon's vertices (strokes have no polygon: see above). */
export function polygonOf(geometry: RegionGeometry): Contour {
  switch (geometry.kind) {
    case 'polygon':
      return geometry.points.map(([x, y]): [number, number] => [x, y]);
    case 'rect': {
      const { x, y, width, height } = geometry;
      return [
        [x, y],
        [x + width, y],
        [x + width, y + height],
        [x, y + height],
      ];
    }
    case 'ellipse': {
      const { cx, cy, rx, ry, rotation } = geometry;
      const cos = Math.cos((rotation * Math.PI) / 180);
      const sin = Math.sin((rotation * Math.PI) / 180);
      return Array.from({ length: ellipseVertices }, (_, k): [number, number] => {
        const t = (2 * Math.PI * k) / ellipseVertices;
        const ex = rx * Math.cos(t);
        const ey = ry * Math.sin(t);
        return [round3(cx + ex * cos - ey * sin), round3(cy + ex * sin + ey * cos)];
      });
    }
    case 'stroke':
      throw new Error('a brush stroke has no polygon: trace its mask');
  }
}

function tracedContours(regions: readonly ReaderRegion[], image: ChexlocalizeImage): Contour[] {
  const size = { columns: image.cols, rows: image.rows };
  const mask = unionByAnnotator(regions, size, { width: image.cols, height: image.rows });
  return traceOuterContours(mask, image.cols, image.rows);
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
