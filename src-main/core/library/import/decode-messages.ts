import type { DecodedForImport } from './image-record';

/** Main thread → decode worker: one file's bytes (transferred, not copied). */
export interface DecodeRequest {
  readonly id: number;
  readonly name: string;
  readonly bytes: ArrayBuffer;
}

/** Decode worker → main thread. */
export type DecodeReply =
  | { readonly id: number; readonly ok: true; readonly decoded: DecodedForImport }
  | { readonly id: number; readonly ok: false; readonly message: string };
