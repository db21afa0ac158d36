/**
 * What the Electron preload exposes as `window.workstation`. Types only: the
 * renderer's client uses it to pick the IPC transport.
 */
import type { BinaryAnswer } from './binary-frame';
import type { BinaryCallName, CallName, EventMessage } from './contract';
import type { ApiResult } from './errors';

export interface WorkstationBridge {
  /** Calls an API entry; unknown names are refused before anything leaves the renderer. */
  call(name: CallName, input: unknown): Promise<ApiResult<unknown>>;
  /** Calls a binary API entry (bulk bytes + metadata); unknown names are refused likewise. */
  binary(name: BinaryCallName, input: unknown): Promise<ApiResult<BinaryAnswer>>;
  /** The path on disk of a file dropped on the window (drag-and-drop import); '' when it has none. */
  pathForFile(file: File): string;
  /** Subscribes to the contract's events; returns the function that unsubscribes. */
  onEvent(listener: (message: EventMessage) => void): () => void;
}

/** IPC channel of one call. */
export function callChannel(name: CallName): string {
  return `workstation:call:${name}`;
}

/** IPC channel of one binary call. */
export function binaryChannel(name: BinaryCallName): string {
  return `workstation:binary:${name}`;
}

export const eventChannel = 'workstation:event';
