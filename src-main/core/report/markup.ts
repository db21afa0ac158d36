/** Text and attribute values for the report's SVG and HTML. */

/** Escapes the five characters that are markup in XML and HTML (text and quoted attribute values). */
export function escapeMarkup(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** A data URL of bytes (PNG, SVG) for an `<img src>` or an SVG `<image href>`. */
export function dataUrl(mime: string, bytes: string | Uint8Array): string {
  return `data:${mime};base64,${Buffer.from(bytes).toString('base64')}`;
}
