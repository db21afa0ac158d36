/** A value or data set the DICOM writer refuses; the message is one line naming the attribute. */
export class DicomWriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DicomWriteError';
  }
}
