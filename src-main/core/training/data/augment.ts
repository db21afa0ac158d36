import type { Rng } from './rng';

/** Light augmentation that keeps anatomy plausible. Each field is a half-range; 0 turns that part off. */
export interface AugmentOptions {
  /** Default true; false returns the image (scaled to [0, 1]) and the masks unchanged and draws nothing. */
  readonly enabled?: boolean;
  /** Shift along each axis, share of the side. Default 0.04 (±4 %). */
  readonly translate?: number;
  /** Zoom about the centre: factor in [1 − scale, 1 + scale]. Default 0.05. */
  readonly scale?: number;
  /** Added to intensities in [0, 1]. Default 0.05. */
  readonly brightness?: number;
  /** Contrast about the image mean: factor in [1 − contrast, 1 + contrast]. Default 0.1. */
  readonly contrast?: number;
}

export interface Augmented {
  /** [S × S] intensities in [0, 1], row-major. */
  readonly pixels: Float32Array;
  /** [C] of [R × R] 0/1 (null stays null), moved exactly as the image. */
  readonly masks: (Uint8Array | null)[];
}

/**
 * Augments one image and its masks with one random similarity transform
 * (zoom about the centre, then shift) and a brightness/contrast jitter.
 * NEVER flips, mirrors or rotates: left and right are anatomy in a chest film
 * (heart, gastric bubble, side markers), so the scale factor is always
 * positive. The transform is defined on normalised coordinates, so the image
 * (bilinear, edges clamped) at S and the masks (nearest, zero outside) at R
 * move identically. Draws exactly five values from `rng` in a fixed order
 * (scale, shift x, shift y, contrast, brightness), so the result is a function
 * of the rng's state.
 *
 * @param pixels [S × S] uint8
 * @param masks [C] of [R × R] 0/1 or null
 */
export function augment(
  pixels: Uint8Array,
  masks: readonly (Uint8Array | null)[],
  imageSize: number,
  maskSize: number,
  rng: Rng,
  options: AugmentOptions = {},
): Augmented {
  const S = imageSize;
  const R = maskSize;
  if (pixels.length !== S * S) throw new RangeError(`expected ${S}×${S} pixels, got ${pixels.length}`);
  for (const mask of masks) {
    if (mask && mask.length !== R * R) throw new RangeError(`expected ${R}×${R} masks, got ${mask.length}`);
  }
  if (options.enabled === false) {
    const out = new Float32Array(S * S);
    for (let i = 0; i < out.length; i++) out[i] = (pixels[i] as number) / 255;
    return { pixels: out, masks: masks.map((m) => m && m.slice()) };
  }
  const half = (range: number | undefined, fallback: number): number => {
    const r = range ?? fallback;
    if (!(r >= 0 && r < 1)) throw new RangeError(`augmentation ranges must be in [0, 1), got ${r}`);
    return r;
  };
  const scale = 1 + rng.uniform(-1, 1) * half(options.scale, 0.05);
  const translate = half(options.translate, 0.04);
  const tx = rng.uniform(-1, 1) * translate;
  const ty = rng.uniform(-1, 1) * translate;
  const contrast = 1 + rng.uniform(-1, 1) * half(options.contrast, 0.1);
  const brightness = rng.uniform(-1, 1) * half(options.brightness, 0.05);
  // Output point q (normalised, pixel centres at (i + ½)/N) shows the source point (q − ½ − t)/scale + ½.
  const sourceOf = (q: number, t: number): number => (q - 0.5 - t) / scale + 0.5;

  const out = new Float32Array(S * S);
  const xs = sampleTaps(S, (j) => sourceOf((j + 0.5) / S, tx));
  const ys = sampleTaps(S, (i) => sourceOf((i + 0.5) / S, ty));
  let sum = 0;
  for (let i = 0; i < S; i++) {
    const { k0: y0, k1: y1, t: wy } = ys[i] as Tap;
    for (let j = 0; j < S; j++) {
      const { k0: x0, k1: x1, t: wx } = xs[j] as Tap;
      const top = (pixels[y0 * S + x0] as number) * (1 - wx) + (pixels[y0 * S + x1] as number) * wx;
      const bottom = (pixels[y1 * S + x0] as number) * (1 - wx) + (pixels[y1 * S + x1] as number) * wx;
      const v = (top * (1 - wy) + bottom * wy) / 255;
      out[i * S + j] = v;
      sum += v;
    }
  }
  const mean = sum / (S * S);
  for (let i = 0; i < out.length; i++) {
    out[i] = Math.min(1, Math.max(0, ((out[i] as number) - mean) * contrast + mean + brightness));
  }

  const mx = Array.from({ length: R }, (_, j) => Math.floor(sourceOf((j + 0.5) / R, tx) * R));
  const my = Array.from({ length: R }, (_, i) => Math.floor(sourceOf((i + 0.5) / R, ty) * R));
  const movedMasks = masks.map((mask) => {
    if (!mask) return null;
    const moved = new Uint8Array(R * R);
    for (let i = 0; i < R; i++) {
      const si = my[i] as number;
      if (si < 0 || si >= R) continue;
      for (let j = 0; j < R; j++) {
        const sj = mx[j] as number;
        if (sj >= 0 && sj < R) moved[i * R + j] = mask[si * R + sj] as number;
      }
    }
    return moved;
  });
  return { pixels: out, masks: movedMasks };
}

interface Tap {
  readonly k0: number;
  readonly k1: number;
  readonly t: number;
}

/** Bilinear taps along one axis of side n: normalised source point → neighbours and weight, edges clamped. */
function sampleTaps(n: number, source: (index: number) => number): Tap[] {
  return Array.from({ length: n }, (_, index) => {
    const x = Math.min(n - 1, Math.max(0, source(index) * n - 0.5));
    const k0 = Math.floor(x);
    return { k0, k1: Math.min(n - 1, k0 + 1), t: x - k0 };
  });
}
