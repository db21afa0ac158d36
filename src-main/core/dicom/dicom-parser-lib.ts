import * as dicomParserNamespace from 'dicom-parser';

/**
 * dicom-parser is a UMD bundle: under Node's ESM loader its functions sit on the default export
 * only, while bundlers may expose them as named exports. This picks whichever is there.
 */
type DicomParserLib = typeof dicomParserNamespace;
const withDefault = dicomParserNamespace as DicomParserLib & { default?: DicomParserLib };
export const dicomParser: DicomParserLib = withDefault.default ?? withDefault;

export type { DataSet, Element, Fragment } from 'dicom-parser';
