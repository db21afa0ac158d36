/**
 * libjpeg decides by itself whether a three-component JPEG is YCbCr (and converts it to RGB): JFIF
 * marker → YCbCr; Adobe APP14 marker → its transform flag; else component ids 'R','G','B' → RGB;
 * else YCbCr. DICOM says it instead (PS3.5 8.2.1): Photometric RGB means the components are R, G, B
 * and must not be converted, YBR_FULL(_422) means YCbCr. dcmtk and pydicom follow DICOM; this makes
 * libjpeg do the same by giving it a copy of the stream with an Adobe marker whose transform flag
 * says what DICOM says (0 = no transform, 1 = YCbCr), and a JFIF marker renamed when the data are RGB.
 *
 * @param jpeg a JPEG stream starting with SOI
 * @param ycbcr whether the components are YCbCr (DICOM YBR_*) rather than RGB
 * @returns the same bytes when nothing needs changing, else a patched copy
 */
export function withDicomColourSpace(jpeg: Uint8Array, ycbcr: boolean): Uint8Array {
  const transform = ycbcr ? 1 : 0;
  const patched = new Uint8Array(jpeg);
  let adobeAt = -1;
  let changed = false;
  let position = 2;
  while (position + 4 <= patched.length && patched[position] === 0xff) {
    const marker = patched[position + 1] ?? 0;
    if (marker === 0xda || marker === 0xd9 || (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xcc))
      break;
    const length = ((patched[position + 2] ?? 0) << 8) | (patched[position + 3] ?? 0);
    const id = String.fromCharCode(...patched.subarray(position + 4, position + 9));
    if (marker === 0xee && id === 'Adobe' && length >= 14) adobeAt = position;
    if (marker === 0xe0 && id === 'JFIF\0' && !ycbcr) {
      patched[position + 4] = 0x58; // 'XFIF': no longer a JFIF marker
      changed = true;
    }
    if (length < 2) break;
    position += 2 + length;
  }
  if (adobeAt >= 0) {
    const flag = adobeAt + 15;
    if (patched[flag] !== transform) {
      patched[flag] = transform;
      changed = true;
    }
    return changed ? patched : jpeg;
  }
  // No Adobe marker: insert one after SOI.
  const adobe = [0xff, 0xee, 0x00, 0x0e, 0x41, 0x64, 0x6f, 0x62, 0x65, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, transform];
  const out = new Uint8Array(patched.length + adobe.length);
  out.set(patched.subarray(0, 2), 0);
  out.set(adobe, 2);
  out.set(patched.subarray(2), 2 + adobe.length);
  return out;
}
