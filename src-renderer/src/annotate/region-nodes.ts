import Konva from 'konva';
import type { RegionGeometry } from '@contract/annotation-schemas';
import { roundCoord } from './geometry-ops';

/**
 * Konva nodes for region geometry, in image coordinates (the stage's scale
 * and position do zoom and pan). Polygons fill even-odd, as the rasteriser
 * does; brush strokes are round-capped lines of width 2r; an eraser stroke
 * cuts through what its finding's layer drew before it (destination-out).
 */
export function nodeFor(geometry: RegionGeometry, colour: string): Konva.Shape {
  switch (geometry.kind) {
    case 'polygon':
      return new Konva.Line({
        points: geometry.points.flat(),
        closed: true,
        fill: colour,
        fillRule: 'evenodd',
        perfectDrawEnabled: false,
      });
    case 'rect':
      return new Konva.Rect({
        x: geometry.x,
        y: geometry.y,
        width: geometry.width,
        height: geometry.height,
        fill: colour,
        perfectDrawEnabled: false,
      });
    case 'ellipse':
      return new Konva.Ellipse({
        x: geometry.cx,
        y: geometry.cy,
        radiusX: geometry.rx,
        radiusY: geometry.ry,
        rotation: geometry.rotation,
        fill: colour,
        perfectDrawEnabled: false,
      });
    case 'stroke': {
      const composite = geometry.erase ? 'destination-out' : 'source-over';
      const first = geometry.points[0] ?? [0, 0];
      if (geometry.points.length === 1) {
        return new Konva.Circle({
          x: first[0],
          y: first[1],
          radius: geometry.radius,
          fill: colour,
          globalCompositeOperation: composite,
          perfectDrawEnabled: false,
        });
      }
      return new Konva.Line({
        points: geometry.points.flat(),
        stroke: colour,
        strokeWidth: 2 * geometry.radius,
        lineCap: 'round',
        lineJoin: 'round',
        globalCompositeOperation: composite,
        perfectDrawEnabled: false,
      });
    }
  }
}

/**
 * The geometry of a rectangle or ellipse node after the Transformer resized
 * (or, for ellipses, rotated) it; the node's scale is folded back in.
 */
export function geometryAfterTransform(node: Konva.Shape, before: RegionGeometry): RegionGeometry {
  const sx = Math.abs(node.scaleX());
  const sy = Math.abs(node.scaleY());
  if (before.kind === 'rect') {
    const width = roundCoord(node.width() * sx);
    const height = roundCoord(node.height() * sy);
    return { kind: 'rect', x: roundCoord(node.x()), y: roundCoord(node.y()), width, height };
  }
  if (before.kind === 'ellipse' && node instanceof Konva.Ellipse) {
    return {
      kind: 'ellipse',
      cx: roundCoord(node.x()),
      cy: roundCoord(node.y()),
      rx: roundCoord(node.radiusX() * sx),
      ry: roundCoord(node.radiusY() * sy),
      rotation: roundCoord(((node.rotation() % 360) + 360) % 360),
    };
  }
  return before;
}
