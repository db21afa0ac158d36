import { decodeFrame } from './decode-pixels';
import { toModalityValues } from './modality';
import { parseDicom, type ParsedDicom } from './parse-dicom';
import type { StoredPixels } from './stored-pixels';
import { defaultWindow, windowToUint8, type VoiWindow } from './window';

export interface RenderOptions {
  /** The VOI window; default {@link defaultWindow} (the file's first, else the full range). */
  readonly window?: VoiWindow;
  /** 0-based frame (default 0). */
  readonly frame?: number;
}

/** An 8-bit grey image as the app shows it. */
export interface Gray8Image {
  readonly rows: number;
  readonly columns: number;
  /** [rows × columns], row-major, 0 black. */
  readonly pixels: Uint8Array;
  /** The window that made `pixels`. */
  readonly window: VoiWindow;
  /** Whether grey was inverted (MONOCHROME1). */
  readonly inverted: boolean;
}

/**
 * Windows decoded stored pixels to 8-bit grey: modality LUT (or luminance for colour), the VOI
 * window, and inversion for MONOCHROME1.
 */
export function renderStoredPixels(stored: StoredPixels, meta: ParsedDicom['meta'], window?: VoiWindow): Gray8Image {
  const values = toModalityValues(stored, meta);
  const chosen = window ?? defaultWindow(meta, values);
  const inverted = stored.photometric === 'MONOCHROME1';
  return {
    rows: stored.rows,
    columns: stored.columns,
    pixels: windowToUint8(values, chosen, inverted),
    window: chosen,
    inverted,
  };
}

/**
 * Parses, decodes and windows a DICOM file to 8-bit grey, as the app shows it.
 *
 * @param bytes the whole file
 * @throws DicomError for a file this library cannot read; InputError for a window of width below 1
 */
export async function renderToGray8(bytes: Uint8Array, options: RenderOptions = {}): Promise<Gray8Image> {
  const parsed = parseDicom(bytes);
  const stored = await decodeFrame(parsed, options.frame ?? 0);
  return renderStoredPixels(stored, parsed.meta, options.window);
}
