import { binaryChannel, callChannel } from '../api/bridge';
import { binaryCallNames, callNames } from '../api/contract';
import type { BinaryDispatch, Dispatch } from '../api/dispatch';
import type { ApiResult } from '../api/errors';

/** The part of Electron's `ipcMain` used here; typed structurally so this module never imports electron. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface IpcInvokeEventLike {
  readonly senderFrame: { readonly url: string } | null;
}

/**
 * Registers one `ipcMain.handle` per call of the contract. Each checks that the
 * request comes from the app's own renderer before dispatching; the dispatcher
 * validates the payload. Returns the function that unregisters them.
 */
export function registerIpc(
  ipcMain: IpcMainLike,
  dispatch: Dispatch,
  isTrustedUrl: (url: string) => boolean,
  binaryDispatch?: BinaryDispatch,
): () => void {
  const refuse = (name: string, event: IpcInvokeEventLike): ApiResult<never> | null => {
    const url = event.senderFrame?.url ?? '';
    if (isTrustedUrl(url)) return null;
    return {
      ok: false,
      error: { code: 'unauthorized', message: `call ${name} refused from ${url || 'an unknown frame'}` },
    };
  };
  for (const name of callNames) {
    ipcMain.handle(callChannel(name), async (event, input): Promise<ApiResult<unknown>> => {
      return refuse(name, event) ?? dispatch(name, input);
    });
  }
  if (binaryDispatch) {
    for (const name of binaryCallNames) {
      // The answer's Uint8Array crosses the process boundary by structured clone.
      ipcMain.handle(binaryChannel(name), async (event, input): Promise<ApiResult<unknown>> => {
        return refuse(name, event) ?? binaryDispatch(name, input);
      });
    }
  }
  return () => {
    for (const name of callNames) ipcMain.removeHandler(callChannel(name));
    if (binaryDispatch) for (const name of binaryCallNames) ipcMain.removeHandler(binaryChannel(name));
  };
}
