/**
 * How a binary answer travels over HTTP: a 4-byte little-endian length, that
 * many bytes of UTF-8 JSON (the answer's metadata, padded with spaces to a
 * multiple of 8 so the payload that follows stays aligned for typed-array
 * views), then the payload bytes. Renderer-safe.
 */
export interface BinaryAnswer {
  readonly meta: unknown;
  readonly data: Uint8Array;
}

export const binaryContentType = 'application/vnd.aligner.binary';

export function encodeBinaryFrame(answer: BinaryAnswer): Uint8Array {
  let json = JSON.stringify(answer.meta);
  while ((4 + new TextEncoder().encode(json).length) % 8 !== 0) json += ' ';
  const head = new TextEncoder().encode(json);
  const frame = new Uint8Array(4 + head.length + answer.data.length);
  new DataView(frame.buffer).setUint32(0, head.length, true);
  frame.set(head, 4);
  frame.set(answer.data, 4 + head.length);
  return frame;
}

/** @throws Error when the frame is shorter than its header says or the header is not JSON */
export function decodeBinaryFrame(buffer: ArrayBuffer): BinaryAnswer {
  if (buffer.byteLength < 4) throw new Error('binary answer shorter than its header');
  const length = new DataView(buffer).getUint32(0, true);
  if (4 + length > buffer.byteLength) throw new Error('binary answer shorter than its header says');
  const meta: unknown = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, length)));
  return { meta, data: new Uint8Array(buffer, 4 + length) };
}
