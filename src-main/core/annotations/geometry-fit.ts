import type { RegionGeometry } from '../../api/annotation-schemas';
import { InputError } from '../input-error';
import type { ImageSize } from './rasterize';

/**
 * Refuses geometry that does not belong on the image: every point a reader can
 * place (polygon and stroke vertices, rectangle corners, ellipse centre) must
 * lie on the image, [0, columns] × [0, rows] in image pixel coordinates. Brush
 * discs and ellipse arcs may reach past the border (the rasteriser clips them),
 * but no radius may exceed the image's longer side.
 *
 * @throws InputError (field `geometry`) naming the first offending value
 */
export function assertGeometryFitsImage(geometry: RegionGeometry, image: ImageSize): void {
  const { columns, rows } = image;
  const onImage = (x: number, y: number, what: string): void => {
    if (!(x >= 0 && x <= columns && y >= 0 && y <= rows)) {
      throw new InputError(`${what} (${round(x)}, ${round(y)}) lies outside the ${columns}×${rows} image`, 'geometry');
    }
  };
  const longest = Math.max(columns, rows);
  const radius = (r: number, what: string): void => {
    if (r > longest) throw new InputError(`${what} ${round(r)} is larger than the image (${longest} px)`, 'geometry');
  };
  switch (geometry.kind) {
    case 'polygon':
    case 'stroke':
      geometry.points.forEach(([x, y], k) => onImage(x, y, `point ${k}`));
      if (geometry.kind === 'stroke') radius(geometry.radius, 'brush radius');
      return;
    case 'rect':
      onImage(geometry.x, geometry.y, 'rectangle corner');
      onImage(geometry.x + geometry.width, geometry.y + geometry.height, 'rectangle corner');
      return;
    case 'ellipse':
      onImage(geometry.cx, geometry.cy, 'ellipse centre');
      radius(geometry.rx, 'ellipse radius');
      radius(geometry.ry, 'ellipse radius');
      return;
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
