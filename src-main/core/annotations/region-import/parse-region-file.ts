import { parseChexlocalizeJson } from './parse-chexlocalize-json';
import { parseNihBboxCsv } from './parse-nih-bbox';
import { parseVindrCsv } from './parse-vindr-csv';
import type { ParsedRegionFile, RegionFileFormat } from './region-record';

const parsers: Readonly<Record<RegionFileFormat, (text: string, file: string) => ParsedRegionFile>> = {
  'nih-bbox': parseNihBboxCsv,
  'vindr-csv': parseVindrCsv,
  'chexlocalize-json': parseChexlocalizeJson,
};

/**
 * Reads a region file's text in the given layout. Pure: no file system, no database.
 *
 * @param file names the file in error messages
 * @throws RegionFileError on the first malformed row or entry
 */
export function parseRegionFile(format: RegionFileFormat, text: string, file: string): ParsedRegionFile {
  return parsers[format](text, file);
}
