import Konva from 'konva';
import type { Region, RegionGeometry } from '@contract/annotation-schemas';
import type { VoiWindowValue } from '@contract/viewer-schemas';
import {
  clampToImage,
  clampTranslation,
  ellipseFromCorners,
  rectFromCorners,
  roundCoord,
  translateGeometry,
  type Point,
} from './geometry-ops';
import type { ImageRaster } from './image-raster';
import { colourOf, palette, type FindingId } from './palette';
import { geometryAfterTransform, nodeFor } from './region-nodes';
import type { ToolId } from './tools';

/** What the canvas tells the view. */
export interface CanvasEvents {
  create(finding: FindingId, geometry: RegionGeometry): void;
  update(id: number, geometry: RegionGeometry): void;
  select(id: number | null): void;
  /** Zoom, pan or window changed. */
  view(state: ViewState): void;
  /** A draw finished (the tests' and benchmarks' signal). */
  rendered(): void;
  /** The image pixel under the pointer and its value. */
  hover(point: Point | null, value: number | null): void;
}

export interface ViewState {
  readonly scale: number;
  readonly x: number;
  readonly y: number;
  readonly window: VoiWindowValue;
  readonly invert: boolean;
}

/** The model's attention for one finding, drawn as a heat map over the image with its peak marked. */
export interface HeatOverlay {
  /** g×g row-major, any scale (min-max normalised for display). */
  readonly attention: readonly number[];
  readonly grid: number;
  /** Peak of the bilinearly upsampled map, image pixels. */
  readonly peak: { readonly x: number; readonly y: number };
  /** 1 inside the human region, 0 outside, null without one. */
  readonly hit: 0 | 1 | null;
}

export interface FindingStyle {
  readonly visible: boolean;
  readonly opacity: number;
}

/** A region shown on the canvas; `pending` ones are drawn but not yet acknowledged as saved. */
export type ShownRegion = Region & { readonly pending?: boolean };

/** Timings the benchmarks read (milliseconds, newest last, at most 1000 each). */
export interface CanvasTimings {
  readonly windowRedraw: number[];
  readonly panFrame: number[];
}

declare global {
  interface Window {
    /** The mounted canvas's redraw timings, for the benchmarks. */
    alignerAnnotateTimings?: () => CanvasTimings;
  }
}

type Gesture =
  | { kind: 'pan'; start: Point; origin: Point }
  | { kind: 'window'; start: Point; origin: VoiWindowValue }
  | { kind: 'shape'; start: Point }
  | { kind: 'lasso' }
  | { kind: 'paint'; points: [number, number][] };

/**
 * The Annotate view's Konva stage: the full-resolution image (window/level,
 * invert, zoom around the cursor, pan), one layer per finding holding the
 * reader's regions (so an eraser only cuts its own finding), an optional review
 * layer with another annotator's regions, and the drawing tools. Geometry is
 * always in image pixel coordinates; zoom and pan are the stage's transform.
 */
export class AnnotationCanvas {
  readonly timings: CanvasTimings = { windowRedraw: [], panFrame: [] };
  readonly #stage: Konva.Stage;
  readonly #imageLayer = new Konva.Layer({ listening: false });
  readonly #imageNode = new Konva.Image({ image: undefined, listening: false });
  readonly #heatNode = new Konva.Image({ image: undefined, listening: false, opacity: 0.45, visible: false });
  readonly #peakNode = new Konva.Group({ listening: false, visible: false });
  readonly #layers = new Map<FindingId, Konva.Layer>();
  readonly #reviewLayer = new Konva.Layer({ listening: false, visible: false });
  readonly #transformer = new Konva.Transformer({ rotateEnabled: false, keepRatio: false, ignoreStroke: true });
  #raster: ImageRaster | null = null;
  #window: VoiWindowValue = { center: 0.5, width: 1 };
  #invert = false;
  #tool: ToolId = 'polygon';
  #finding: FindingId = 'nodule';
  #brushRadius = 12;
  #regions: readonly ShownRegion[] = [];
  #review: readonly Region[] = [];
  #annotator = '';
  #styles = new Map<FindingId, FindingStyle>();
  #selected: number | null = null;
  #gesture: Gesture | null = null;
  #draft: Konva.Shape | null = null;
  #clickPolygon: [number, number][] = [];
  #spaceDown = false;
  #pendingWindow: VoiWindowValue | null = null;
  #renderQueued = false;
  #renderAfterDrag = false;
  readonly #resizeObserver: ResizeObserver;

  constructor(
    readonly container: HTMLDivElement,
    readonly events: CanvasEvents,
  ) {
    this.#stage = new Konva.Stage({
      container,
      width: container.clientWidth || 800,
      height: container.clientHeight || 600,
    });
    this.#imageLayer.add(this.#imageNode, this.#heatNode, this.#peakNode);
    this.#stage.add(this.#imageLayer);
    for (const { id } of palette) {
      const layer = new Konva.Layer();
      this.#layers.set(id, layer);
      this.#stage.add(layer);
      this.#styles.set(id, { visible: true, opacity: 0.45 });
    }
    this.#stage.add(this.#reviewLayer);
    for (const layer of [this.#imageLayer, ...this.#layers.values(), this.#reviewLayer]) {
      layer.on('draw', () => this.#queueRendered());
    }
    this.#resizeObserver = new ResizeObserver(() => this.resize());
    this.#resizeObserver.observe(container);
    this.#listen();
  }

  destroy(): void {
    this.#resizeObserver.disconnect();
    this.#stage.destroy();
  }

  // ---------------------------------------------------------------- state from the view

  setImage(raster: ImageRaster, window: VoiWindowValue, invert: boolean): void {
    this.#raster = raster;
    this.#imageNode.image(raster.canvas);
    // Whatever level is shown, it covers the image's own size in image coordinates.
    this.#imageNode.size({ width: raster.meta.columns, height: raster.meta.rows });
    if (this.#selected !== null) {
      this.#selected = null;
      this.events.select(null);
    }
    this.#cancelDraft();
    this.setWindow(window, invert);
    this.fit();
  }

  get hasImage(): boolean {
    return this.#raster !== null;
  }

  setWindow(window: VoiWindowValue, invert: boolean): void {
    if (!this.#raster) return;
    const started = performance.now();
    this.#window = window;
    this.#invert = invert;
    this.#imageNode.image(this.#raster.render(window, invert, this.#stage.scaleX()));
    this.#imageLayer.draw();
    record(this.timings.windowRedraw, performance.now() - started);
    this.#emitView();
  }

  /**
   * A window change from a drag: at most one redraw per animation frame, with
   * the latest window (pointer events can outpace the display).
   */
  #queueWindow(window: VoiWindowValue): void {
    const first = this.#pendingWindow === null;
    this.#pendingWindow = window;
    if (!first) return;
    requestAnimationFrame(() => {
      const latest = this.#pendingWindow;
      this.#pendingWindow = null;
      if (latest) this.setWindow(latest, this.#invert);
    });
  }

  setRegions(regions: readonly ShownRegion[], annotator: string): void {
    this.#regions = regions;
    this.#annotator = annotator;
    const lost = this.#selected !== null && !regions.some((r) => r.id === this.#selected);
    if (lost) this.#selected = null;
    this.#renderRegions();
    if (lost) this.events.select(null);
  }

  /** The model's attention as a heat map (jet colours) with its peak ringed: green a hit, red a miss. */
  setHeat(heat: HeatOverlay | null): void {
    const raster = this.#raster;
    if (!heat || !raster) {
      this.#heatNode.visible(false);
      this.#peakNode.visible(false);
      this.#imageLayer.batchDraw();
      return;
    }
    const g = heat.grid;
    const canvas = document.createElement('canvas');
    canvas.width = g;
    canvas.height = g;
    const context = canvas.getContext('2d');
    if (!context) return;
    const pixels = context.createImageData(g, g);
    const lo = Math.min(...heat.attention);
    const hi = Math.max(...heat.attention);
    heat.attention.forEach((value, i) => {
      const [r, gr, b] = jet(hi > lo ? (value - lo) / (hi - lo) : 0);
      pixels.data.set([r, gr, b, 255], i * 4);
    });
    context.putImageData(pixels, 0, 0);
    this.#heatNode.image(canvas);
    this.#heatNode.size({ width: raster.meta.columns, height: raster.meta.rows });
    this.#heatNode.visible(true);
    const radius = Math.max(raster.meta.columns, raster.meta.rows) / 60;
    const colour = heat.hit === 1 ? '#4cd37d' : heat.hit === 0 ? '#ff5c5c' : '#ffffff';
    this.#peakNode.destroyChildren();
    this.#peakNode.add(
      new Konva.Circle({ x: heat.peak.x + 0.5, y: heat.peak.y + 0.5, radius, stroke: colour, strokeWidth: radius / 4 }),
      new Konva.Text({
        x: heat.peak.x + radius * 1.3,
        y: heat.peak.y - radius,
        text: heat.hit === 1 ? 'hit' : heat.hit === 0 ? 'miss' : 'peak',
        fontSize: radius * 1.4,
        fill: colour,
      }),
    );
    this.#peakNode.visible(true);
    this.#imageLayer.batchDraw();
  }

  /** Another annotator's regions shown as outlines over the reader's (review); empty hides the layer. */
  setReview(regions: readonly Region[]): void {
    this.#review = regions;
    this.#renderReview();
  }

  setTool(tool: ToolId): void {
    this.#cancelDraft();
    this.#tool = tool;
    const cleared = tool !== 'select' && this.#selected !== null;
    if (cleared) this.#selected = null;
    this.#renderRegions();
    // Drawn now, not on the next frame: the hit graph must follow the tool at once, or a press right after the
    // key (V, then a click on a region) would find no region under it.
    for (const layer of this.#layers.values()) layer.draw();
    if (cleared) this.events.select(null);
  }

  setFinding(finding: FindingId): void {
    this.#cancelDraft();
    this.#finding = finding;
  }

  setBrushRadius(radius: number): void {
    this.#brushRadius = radius;
  }

  setFindingStyle(finding: FindingId, style: FindingStyle): void {
    this.#styles.set(finding, style);
    this.#renderRegions();
  }

  /**
   * Changes the selection by redecorating the nodes that exist: a press on a region selects it and drags it in one
   * gesture, so the node under the pointer must survive its own selection.
   */
  select(id: number | null): void {
    if (id === this.#selected) return;
    this.#undecorateSelection();
    this.#selected = id;
    this.#decorateSelection();
    for (const layer of this.#layers.values()) layer.batchDraw();
    this.events.select(id);
  }

  get selected(): number | null {
    return this.#selected;
  }

  // ---------------------------------------------------------------- view

  resize(): void {
    const width = this.container.clientWidth;
    const height = this.container.clientHeight;
    if (width > 0 && height > 0) this.#stage.size({ width, height });
  }

  fit(): void {
    if (!this.#raster) return;
    const { columns, rows } = this.#raster.meta;
    const scale = Math.min(this.#stage.width() / columns, this.#stage.height() / rows);
    this.#setView(scale, (this.#stage.width() - columns * scale) / 2, (this.#stage.height() - rows * scale) / 2);
  }

  /** 1 image pixel = 1 screen pixel, keeping the image point at the view's centre in place. */
  actualSize(): void {
    this.zoomAt(1 / this.#stage.scaleX(), [this.#stage.width() / 2, this.#stage.height() / 2]);
  }

  /** Zooms by `factor` keeping the image point under `screen` (container pixels) where it is. */
  zoomAt(factor: number, screen: Point): void {
    const old = this.#stage.scaleX();
    const scale = Math.min(32, Math.max(0.02, old * factor));
    const image = this.toImage(screen);
    this.#setView(scale, screen[0] - image[0] * scale, screen[1] - image[1] * scale);
  }

  /** Container pixels → image pixel coordinates. */
  toImage(screen: Point): [number, number] {
    const scale = this.#stage.scaleX();
    return [(screen[0] - this.#stage.x()) / scale, (screen[1] - this.#stage.y()) / scale];
  }

  get view(): ViewState {
    return {
      scale: this.#stage.scaleX(),
      x: this.#stage.x(),
      y: this.#stage.y(),
      window: this.#window,
      invert: this.#invert,
    };
  }

  #setView(scale: number, x: number, y: number): void {
    const started = performance.now();
    this.#stage.scale({ x: scale, y: scale });
    this.#stage.position({ x, y });
    // Zoomed out past ½, the half-resolution level is shown (windowed on first use).
    if (this.#raster) this.#imageNode.image(this.#raster.render(this.#window, this.#invert, scale));
    // Handles and anchors keep their screen size.
    this.#transformer.anchorSize(9);
    for (const layer of this.#layers.values()) {
      for (const anchor of layer.find('.vertex')) anchor.scale({ x: 1 / scale, y: 1 / scale });
    }
    this.#stage.draw();
    record(this.timings.panFrame, performance.now() - started);
    this.#emitView();
  }

  #emitView(): void {
    this.events.view(this.view);
  }

  #queueRendered(): void {
    if (this.#renderQueued) return;
    this.#renderQueued = true;
    queueMicrotask(() => {
      this.#renderQueued = false;
      this.events.rendered();
    });
  }

  // ---------------------------------------------------------------- drawing the regions

  #renderRegions(): void {
    // Rebuilding the nodes under a drag or a transform would end it without its end event, losing the edit: wait for
    // the drop.
    if (Konva.isDragging() || this.#transformer.isTransforming()) {
      this.#renderAfterDrag = true;
      return;
    }
    this.#renderAfterDrag = false;
    this.#transformer.remove();
    for (const [finding, layer] of this.#layers) {
      layer.destroyChildren();
      const style = this.#styles.get(finding) ?? { visible: true, opacity: 0.45 };
      layer.visible(style.visible);
      layer.opacity(style.opacity);
      for (const region of this.#regions) {
        if (region.finding !== finding || region.annotator !== this.#annotator) continue;
        const node = nodeFor(region.geometry, colourOf(finding));
        node.name(`region region-${region.id}`);
        node.setAttr('regionId', region.id);
        if (region.pending) node.dash([6, 4]);
        this.#makeEditable(node, region);
        layer.add(node);
      }
    }
    this.#decorateSelection();
    if (this.#draft) this.#layers.get(this.#finding)?.add(this.#draft);
    for (const layer of this.#layers.values()) layer.batchDraw();
  }

  #renderReview(): void {
    this.#reviewLayer.destroyChildren();
    this.#reviewLayer.visible(this.#review.length > 0);
    for (const { id } of palette) {
      // One cached group per finding, so an eraser stroke cuts only its own finding.
      const group = new Konva.Group();
      for (const region of this.#review) {
        if (region.finding !== id) continue;
        const node = nodeFor(region.geometry, '#ffffff');
        group.add(node);
      }
      if (group.getChildren().length === 0) continue;
      this.#reviewLayer.add(group);
      group.cache();
    }
    this.#reviewLayer.opacity(0.35);
    this.#reviewLayer.batchDraw();
  }

  #makeEditable(node: Konva.Shape, region: ShownRegion): void {
    const editable = this.#tool === 'select' && !region.pending;
    node.listening(editable);
    if (!editable) return;
    node.draggable(true);
    node.on('pointerdown', (event) => {
      if (event.evt.button !== 0 || this.#spaceDown) return;
      if (this.#selected !== region.id) this.select(region.id);
    });
    node.on('dragend', () => {
      const raster = this.#raster;
      if (!raster) return;
      const [bx, by] = nodeOrigin(region.geometry);
      const [dx, dy] = clampTranslation(
        region.geometry,
        node.x() - bx,
        node.y() - by,
        raster.meta.columns,
        raster.meta.rows,
      );
      if (Math.abs(dx) < 0.01 && Math.abs(dy) < 0.01) return;
      this.events.update(region.id, translateGeometry(region.geometry, roundCoord(dx), roundCoord(dy)));
    });
  }

  /** Takes the selected region's handles and highlight off again (see `#decorateSelection`). */
  #undecorateSelection(): void {
    this.#transformer.nodes([]);
    this.#transformer.remove();
    for (const layer of this.#layers.values()) {
      for (const anchor of layer.find('.vertex')) anchor.destroy();
      const node = this.#selected === null ? undefined : layer.findOne<Konva.Shape>(`.region-${this.#selected}`);
      if (!node) continue;
      node.shadowEnabled(false);
      node.off('transformend');
    }
  }

  /** Handles on the selected region: a transformer for rectangles and ellipses, vertex anchors for polygons. */
  #decorateSelection(): void {
    if (this.#selected === null) return;
    const region = this.#regions.find((r) => r.id === this.#selected);
    const layer = region && this.#layers.get(region.finding as FindingId);
    const node = layer?.findOne<Konva.Shape>(`.region-${this.#selected}`);
    if (!region || !layer || !node) return;
    node.shadowEnabled(true);
    node.shadowColor('#ffffff');
    node.shadowBlur(8);
    node.shadowForStrokeEnabled(true);
    const geometry = region.geometry;
    if (geometry.kind === 'rect' || geometry.kind === 'ellipse') {
      this.#transformer.rotateEnabled(geometry.kind === 'ellipse');
      this.#transformer.nodes([node]);
      layer.add(this.#transformer);
      node.on('transformend', () => this.events.update(region.id, geometryAfterTransform(node, geometry)));
    } else if (geometry.kind === 'polygon' && node instanceof Konva.Line) {
      const scale = 1 / this.#stage.scaleX();
      geometry.points.forEach((point, index) => {
        const anchor = new Konva.Circle({
          name: 'vertex',
          x: point[0],
          y: point[1],
          radius: 5,
          scale: { x: scale, y: scale },
          fill: '#ffffff',
          stroke: '#000000',
          strokeWidth: 1,
          draggable: true,
        });
        anchor.on('dragmove', () => {
          const raster = this.#raster;
          if (!raster) return;
          const [x, y] = clampToImage([anchor.x(), anchor.y()], raster.meta.columns, raster.meta.rows);
          anchor.position({ x, y });
          const flat = node.points().slice();
          flat[2 * index] = x - node.x();
          flat[2 * index + 1] = y - node.y();
          node.points(flat);
        });
        anchor.on('dragend', () => {
          const points = geometry.points.map((p, k): [number, number] =>
            k === index ? [roundCoord(anchor.x()), roundCoord(anchor.y())] : [p[0], p[1]],
          );
          this.events.update(region.id, { kind: 'polygon', points });
        });
        layer.add(anchor);
      });
    }
  }

  // ---------------------------------------------------------------- input

  #listen(): void {
    const el = this.container;
    el.addEventListener('contextmenu', (e) => e.preventDefault());
    // In select mode a press on no region (the stage itself: the image does not listen) clears the selection.
    // After the node's own dragend or transformend (which saves the edit), so the rebuild sees the new geometry.
    const renderIfDeferred = (): void =>
      queueMicrotask(() => {
        if (this.#renderAfterDrag) this.#renderRegions();
      });
    this.#stage.on('dragend', renderIfDeferred);
    this.#transformer.on('transformend', renderIfDeferred);
    this.#stage.on('pointerdown', (event) => {
      if (
        this.#tool === 'select' &&
        event.target === this.#stage &&
        event.evt.button === 0 &&
        this.#selected !== null
      ) {
        this.select(null);
      }
    });
    el.addEventListener('pointerdown', (e) => this.#onPointerDown(e));
    el.addEventListener('pointermove', (e) => this.#onPointerMove(e));
    el.addEventListener('pointerup', (e) => this.#onPointerUp(e));
    el.addEventListener('pointerleave', () => this.events.hover(null, null));
    el.addEventListener('dblclick', (e) => {
      if (this.#tool === 'polygon' && this.#clickPolygon.length >= 3) {
        e.preventDefault();
        this.finishPolygon();
      }
    });
    el.addEventListener(
      'wheel',
      (e) => {
        e.preventDefault();
        this.zoomAt(Math.pow(1.0015, -e.deltaY), this.#local(e));
      },
      { passive: false },
    );
    window.addEventListener('keydown', (e) => {
      if (e.key === ' ' && !isTyping(e)) this.#spaceDown = true;
    });
    window.addEventListener('keyup', (e) => {
      if (e.key === ' ') this.#spaceDown = false;
    });
  }

  #local(e: MouseEvent): Point {
    const box = this.container.getBoundingClientRect();
    return [e.clientX - box.left, e.clientY - box.top];
  }

  #imagePoint(e: MouseEvent): [number, number] {
    const raster = this.#raster;
    const p = this.toImage(this.#local(e));
    return raster ? clampToImage(p, raster.meta.columns, raster.meta.rows) : [p[0], p[1]];
  }

  #onPointerDown(e: PointerEvent): void {
    if (!this.#raster) return;
    const screen = this.#local(e);
    if (e.button === 1 || (e.button === 0 && this.#spaceDown)) {
      e.preventDefault();
      this.#capture(e);
      this.#gesture = { kind: 'pan', start: screen, origin: [this.#stage.x(), this.#stage.y()] };
      return;
    }
    if (e.button === 2) {
      this.#capture(e);
      this.#gesture = { kind: 'window', start: screen, origin: this.#window };
      return;
    }
    if (e.button !== 0) return;
    // Konva handles clicks on regions in select mode (see the stage's pointerdown in #listen).
    if (this.#tool === 'select') return;
    this.#capture(e);
    const point = this.#imagePoint(e);
    if (this.#tool === 'brush' || this.#tool === 'eraser') {
      this.#gesture = { kind: 'paint', points: [point] };
      this.#showDraft({ kind: 'stroke', points: [point], radius: this.#brushRadius, erase: this.#tool === 'eraser' });
    } else if (this.#tool === 'polygon') {
      this.#gesture = { kind: 'shape', start: screen };
    } else {
      this.#gesture = { kind: 'shape', start: point };
    }
  }

  #onPointerMove(e: PointerEvent): void {
    if (!this.#raster) return;
    const screen = this.#local(e);
    const point = this.#imagePoint(e);
    this.events.hover(point, this.#raster.valueAt(point[0], point[1]));
    const gesture = this.#gesture;
    if (!gesture) {
      if (this.#tool === 'polygon' && this.#clickPolygon.length > 0) this.#showClickPolygon(point);
      return;
    }
    switch (gesture.kind) {
      case 'pan':
        this.#setView(
          this.#stage.scaleX(),
          gesture.origin[0] + screen[0] - gesture.start[0],
          gesture.origin[1] + screen[1] - gesture.start[1],
        );
        return;
      case 'window': {
        const meta = this.#raster.meta;
        const range = Math.max(1, meta.modalityMax - meta.modalityMin);
        const perPixel = range / Math.max(200, this.#stage.width());
        const width = Math.max(1, gesture.origin.width + (screen[0] - gesture.start[0]) * perPixel * 2);
        const center = gesture.origin.center + (screen[1] - gesture.start[1]) * perPixel;
        this.#queueWindow({ center: roundCoord(center), width: roundCoord(width) });
        return;
      }
      case 'paint': {
        const last = gesture.points[gesture.points.length - 1] as [number, number];
        const minStep = Math.max(0.5, this.#brushRadius / 4);
        if (Math.hypot(point[0] - last[0], point[1] - last[1]) < minStep) return;
        gesture.points.push(point);
        this.#showDraft({
          kind: 'stroke',
          points: gesture.points,
          radius: this.#brushRadius,
          erase: this.#tool === 'eraser',
        });
        return;
      }
      case 'lasso': {
        const last = this.#clickPolygon[this.#clickPolygon.length - 1];
        const minStep = 2 / this.#stage.scaleX();
        if (last && Math.hypot(point[0] - last[0], point[1] - last[1]) < minStep) return;
        this.#clickPolygon.push(point);
        this.#showClickPolygon(null);
        return;
      }
      case 'shape': {
        if (this.#tool === 'polygon') {
          if (Math.hypot(screen[0] - gesture.start[0], screen[1] - gesture.start[1]) > 4) {
            // A press that moves is a freehand lasso (continuing a clicked polygon if one is open).
            this.#clickPolygon.push(
              clampToImage(this.toImage(gesture.start), this.#raster.meta.columns, this.#raster.meta.rows),
            );
            this.#gesture = { kind: 'lasso' };
          }
          return;
        }
        const geometry =
          this.#tool === 'rect'
            ? rectFromCorners(gesture.start, point)
            : ellipseFromCorners(gesture.start, point, e.shiftKey);
        if (geometry) this.#showDraft(geometry);
        return;
      }
    }
  }

  #onPointerUp(e: PointerEvent): void {
    const gesture = this.#gesture;
    this.#gesture = null;
    if (!gesture || !this.#raster) return;
    const point = this.#imagePoint(e);
    switch (gesture.kind) {
      case 'pan':
      case 'window':
        return;
      case 'paint':
        this.#cancelDraft();
        this.events.create(this.#finding, {
          kind: 'stroke',
          points: gesture.points,
          radius: this.#brushRadius,
          erase: this.#tool === 'eraser',
        });
        return;
      case 'lasso':
        this.finishPolygon();
        return;
      case 'shape': {
        if (this.#tool === 'polygon') {
          const first = this.#clickPolygon[0];
          const closeTo = 6 / this.#stage.scaleX();
          if (
            first &&
            this.#clickPolygon.length >= 3 &&
            Math.hypot(point[0] - first[0], point[1] - first[1]) < closeTo
          ) {
            this.finishPolygon();
          } else {
            this.#clickPolygon.push(point);
            this.#showClickPolygon(point);
          }
          return;
        }
        this.#cancelDraft();
        const geometry =
          this.#tool === 'rect'
            ? rectFromCorners(gesture.start, point)
            : ellipseFromCorners(gesture.start, point, e.shiftKey);
        if (geometry) this.events.create(this.#finding, geometry);
        return;
      }
    }
  }

  /** Closes the polygon being clicked or lassoed (Enter, double-click, a click on its first vertex). */
  finishPolygon(): void {
    const points = dedupe(this.#clickPolygon);
    this.#cancelDraft();
    if (points.length >= 3) this.events.create(this.#finding, { kind: 'polygon', points });
  }

  /** Drops the shape being drawn (Escape). */
  cancel(): void {
    this.#cancelDraft();
  }

  #capture(e: PointerEvent): void {
    try {
      this.container.setPointerCapture(e.pointerId);
    } catch {
      // A synthetic pointer cannot be captured; the gesture still works inside the canvas.
    }
  }

  #showClickPolygon(cursor: Point | null): void {
    const points = cursor ? [...this.#clickPolygon, [cursor[0], cursor[1]] as [number, number]] : this.#clickPolygon;
    const line = new Konva.Line({
      points: points.flat(),
      stroke: colourOf(this.#finding),
      strokeWidth: 2 / this.#stage.scaleX(),
      closed: false,
      fill: colourOf(this.#finding),
      listening: false,
    });
    this.#replaceDraft(line);
  }

  #showDraft(geometry: RegionGeometry): void {
    const node = nodeFor(geometry, colourOf(this.#finding));
    node.listening(false);
    this.#replaceDraft(node);
  }

  #replaceDraft(node: Konva.Shape): void {
    this.#draft?.destroy();
    this.#draft = node;
    const layer = this.#layers.get(this.#finding);
    layer?.add(node);
    layer?.batchDraw();
  }

  #cancelDraft(): void {
    this.#clickPolygon = [];
    if (!this.#draft) return;
    const layer = this.#draft.getLayer();
    this.#draft.destroy();
    this.#draft = null;
    layer?.batchDraw();
  }
}

/** The jet colour map at t ∈ [0, 1]. */
function jet(t: number): [number, number, number] {
  const channel = (offset: number): number =>
    Math.round(255 * Math.min(1, Math.max(0, 1.5 - Math.abs(4 * t - offset))));
  return [channel(3), channel(2), channel(1)];
}

/** Where Konva puts a region's node before any drag: (0, 0) for point lists, the anchor otherwise. */
function nodeOrigin(g: RegionGeometry): [number, number] {
  if (g.kind === 'rect') return [g.x, g.y];
  if (g.kind === 'ellipse') return [g.cx, g.cy];
  if (g.kind === 'stroke' && g.points.length === 1) return [g.points[0]?.[0] ?? 0, g.points[0]?.[1] ?? 0];
  return [0, 0];
}

function record(list: number[], value: number): void {
  list.push(value);
  if (list.length > 1000) list.shift();
}

function dedupe(points: readonly [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  for (const p of points) {
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push([p[0], p[1]]);
  }
  return out;
}

function isTyping(e: KeyboardEvent): boolean {
  const target = e.target as HTMLElement | null;
  return !!target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.isContentEditable);
}
