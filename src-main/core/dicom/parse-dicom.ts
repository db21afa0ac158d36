import { inflateRawSync } from 'node:zlib';
import { guessDataSetSyntax, isValueRepresentation } from './detect-syntax';
import { DicomError, describeThrown } from './dicom-error';
import { dicomParser, type DataSet, type Element } from './dicom-parser-lib';
import { readMetadata, type DicomMetadata } from './metadata';
import { transferSyntax, type TransferSyntax } from './transfer-syntax';

/** A DICOM image parsed by {@link parseDicom}: its header and where its pixel data lies. */
export interface ParsedDicom {
  readonly meta: DicomMetadata;
  readonly transferSyntax: TransferSyntax;
  /** dicom-parser's data set; for deflated files its bytes are the inflated data set. */
  readonly dataSet: DataSet;
  /** The Pixel Data element (7FE0,0010), native or encapsulated (`fragments` set). */
  readonly pixelData: Element;
}

const pixelDataTag = 'x7fe00010';
const transferSyntaxTag = 'x00020010';
/** A deflated data set may inflate to at most this many bytes (zip bombs). */
const maxInflatedBytes = 2 ** 31 - 1;

function hasDicmPrefix(bytes: Uint8Array): boolean {
  return bytes.length >= 132 && String.fromCharCode(...bytes.subarray(128, 132)) === 'DICM';
}

/** File meta information (group 0002, explicit VR little endian) at byte 0, without preamble. */
function startsWithMetaGroup(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && bytes[0] === 0x02 && bytes[1] === 0x00 && isValueRepresentation(bytes, 4);
}

/** `(GGGG,EEEE)` for dicom-parser's `xggggeeee`. */
function tagName(tag: string): string {
  const hex = tag.slice(1).toUpperCase();
  return `(${hex.slice(0, 4)},${hex.slice(4)})`;
}

/**
 * Turns whatever dicom-parser threw into a one-line DicomError. It throws strings, and for errors
 * inside the data set `{ exception, dataSet }` with the elements read so far: the last of them is
 * the one that ran past the end. `end` is the byte at which the bytes parsed end, `base` the file
 * offset of those bytes (after the file meta) and `where` names them when they are not the file.
 */
function parseFailure(thrown: unknown, end: number, base: number, where = ''): DicomError {
  const reason = describeThrown(thrown);
  if (/overrun|past end|end of buffer|eof/i.test(reason)) {
    const partial = thrown && typeof thrown === 'object' && 'dataSet' in thrown ? (thrown.dataSet as DataSet) : null;
    const last = partial ? Object.values(partial.elements).at(-1) : undefined;
    const detail =
      last && last.dataOffset + last.length > end
        ? `: ${tagName(last.tag)} declares ${last.length} bytes, ${Math.max(0, end - last.dataOffset)} remain`
        : '';
    return new DicomError(`truncated at byte ${base + end}${where}${detail}`);
  }
  return new DicomError(`unreadable data set${where}: ${reason.replace(/^dicomParser\.?[\w.]*:\s*/, '')}`);
}

/**
 * dicom-parser checks that explicit VR elements end inside the bytes but not implicit VR ones:
 * checks every element of the data set. `base` is the file offset of the data set's bytes.
 */
function checkElementEnds(dataSet: DataSet, base: number, where: string): void {
  const end = dataSet.byteArray.length;
  for (const element of Object.values(dataSet.elements)) {
    if (element.dataOffset + element.length > end) {
      const remain = Math.max(0, end - element.dataOffset);
      throw new DicomError(
        `truncated at byte ${base + end}${where}: ${tagName(element.tag)} declares ${element.length} bytes, ${remain} remain`,
      );
    }
  }
}

/** Where the data set starts and its transfer syntax UID (from the file meta, else guessed). */
function locateDataSet(bytes: Uint8Array): { start: number; uid: string } {
  if (bytes.length === 0) throw new DicomError('not a DICOM file: the file is empty');
  let header: Uint8Array | null = null;
  let shift = 0;
  if (hasDicmPrefix(bytes)) header = bytes;
  else if (startsWithMetaGroup(bytes)) {
    // dicom-parser reads file meta only after a preamble: give it one.
    header = new Uint8Array(132 + bytes.length);
    header.set([0x44, 0x49, 0x43, 0x4d], 128);
    header.set(bytes, 132);
    shift = 132;
  }
  if (header) {
    let start: number;
    let uid: string;
    try {
      const meta: DataSet & { position?: number } = dicomParser.readPart10Header(header);
      start = (meta.position ?? header.length) - shift;
      uid = meta.string(transferSyntaxTag)?.replace(/[\s\0]+$/, '') ?? '';
    } catch (err) {
      throw parseFailure(err, header.length - shift, 0, ' in the file meta information');
    }
    if (uid !== '') return { start, uid };
    const guessed = guessDataSetSyntax(bytes, start);
    if (guessed) return { start, uid: guessed };
    throw new DicomError(
      'no TransferSyntaxUID in the file meta information, and none can be guessed from the data set',
    );
  }
  const guessed = guessDataSetSyntax(bytes, 0);
  if (!guessed) throw new DicomError('not a DICOM file: no DICM prefix at byte 128 and no data set at byte 0');
  return { start: 0, uid: guessed };
}

function inflate(bytes: Uint8Array, position: number | undefined): Uint8Array {
  try {
    return new Uint8Array(inflateRawSync(bytes.subarray(position ?? 0), { maxOutputLength: maxInflatedBytes }));
  } catch (err) {
    throw new DicomError(`deflated data set does not inflate: ${describeThrown(err)}`);
  }
}

/**
 * Parses a DICOM file: Part 10 files (preamble, DICM, file meta) and bare data sets (no preamble;
 * the transfer syntax is guessed from the first element), implicit and explicit VR, little and big
 * endian, deflated data sets. Reads the header into {@link DicomMetadata} and finds the pixel data;
 * decoding it is {@link decodeFrame}'s job.
 *
 * @param bytes the whole file
 * @throws DicomError with a one-line reason: not a DICOM file, truncated at byte N, no pixel data,
 *   unsupported transfer syntax, a missing or out-of-range image attribute
 */
export function parseDicom(bytes: Uint8Array): ParsedDicom {
  const { start, uid } = locateDataSet(bytes);
  const syntax = transferSyntax(uid);
  if (syntax.encoding === 'unsupported') throw new DicomError(`unsupported transfer syntax ${uid} (${syntax.name})`);
  const body = bytes.subarray(start);
  let dataSet: DataSet;
  try {
    dataSet = dicomParser.parseDicom(body, {
      TransferSyntaxUID: uid,
      ...(syntax.deflated ? { inflater: inflate } : {}),
    });
  } catch (err) {
    if (err instanceof DicomError) throw err;
    const inflated = syntax.deflated && err && typeof err === 'object' && 'dataSet' in err;
    const parsed = inflated ? (err.dataSet as DataSet).byteArray.length : body.length;
    throw parseFailure(err, parsed, inflated ? 0 : start, inflated ? ' of the inflated data set' : '');
  }
  checkElementEnds(dataSet, syntax.deflated ? 0 : start, syntax.deflated ? ' of the inflated data set' : '');
  const pixelData = dataSet.elements[pixelDataTag];
  if (!pixelData) {
    const other = dataSet.elements.x7fe00008 ?? dataSet.elements.x7fe00009;
    throw new DicomError(other ? 'no pixel data: float pixel data is not supported' : 'no pixel data');
  }
  if (dataSet.warnings.some((w) => w.includes('missing sequence delimiter'))) {
    throw new DicomError(`truncated at byte ${bytes.length}: the encapsulated pixel data has no sequence delimiter`);
  }
  let meta: DicomMetadata;
  try {
    meta = readMetadata(dataSet, uid);
  } catch (err) {
    if (err instanceof DicomError) throw err;
    throw new DicomError(`unreadable image attributes: ${describeThrown(err)}`);
  }
  return { meta, transferSyntax: syntax, dataSet, pixelData };
}
