/**
 * One mask from several readers' regions of an image and finding: each reader's regions rasterised in the order
 * drawn (an eraser stroke clears only its own reader's pixels), the readers' masks united.
 */
import type { RegionGeometry } from '../../api/annotation-schemas';
import { rasterizeRegions, type MaskSize } from './rasterize';

export interface ReaderRegion {
  readonly annotator: string;
  readonly geometry: RegionGeometry;
}

/**
 * @param regions in the order they were drawn
 * @returns [size.height × size.width] row-major, 255 inside, 0 outside
 */
export function unionByAnnotator(
  regions: readonly ReaderRegion[],
  image: { readonly columns: number; readonly rows: number },
  size: MaskSize,
): Uint8Array {
  const byAnnotator = new Map<string, RegionGeometry[]>();
  for (const region of regions) {
    const list = byAnnotator.get(region.annotator);
    if (list) list.push(region.geometry);
    else byAnnotator.set(region.annotator, [region.geometry]);
  }
  const out = new Uint8Array(size.width * size.height);
  for (const geometries of byAnnotator.values()) {
    const mask = rasterizeRegions(geometries, image, size);
    for (let k = 0; k < mask.length; k++) if (mask[k]) out[k] = 255;
  }
  return out;
}
