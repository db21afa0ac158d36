import type { RegionGeometry } from '../../../api/annotation-schemas';
import { rasterizeRegions, type ImageSize } from '../../annotations/rasterize';

/**
 * One finding's target mask on one image from every selected annotator's live
 * regions: the UNION of each annotator's own mask, where each annotator's
 * regions are rasterised on their own, in the order they were drawn, so an
 * annotator's eraser strokes clear only that annotator's earlier regions (an
 * eraser never removes what another reader drew). Rasterised straight from
 * image coordinates at R×R with {@link rasterizeRegions}, whose per-axis
 * scaling is the cache's stretched resize, so the mask lies on the image.
 *
 * @param byAnnotator each annotator's regions, oldest first
 * @param image the stored image's size (columns × rows)
 * @param maskSize R
 * @returns [R × R] 0/1 row-major, or null when no pixel is set (no region, or
 *   everything erased, or regions too small to cover a mask pixel's centre)
 */
export function unionMask(
  byAnnotator: ReadonlyMap<string, readonly RegionGeometry[]>,
  image: ImageSize,
  maskSize: number,
): Uint8Array | null {
  let union: Uint8Array | null = null;
  for (const regions of byAnnotator.values()) {
    const mask = rasterizeRegions(regions, image, { width: maskSize, height: maskSize });
    if (union === null) union = mask;
    else for (let i = 0; i < mask.length; i++) union[i] = (union[i] as number) | (mask[i] as number);
  }
  return union !== null && union.includes(1) ? union : null;
}
