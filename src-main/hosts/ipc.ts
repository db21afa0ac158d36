import { callChannel } from '../api/bridge';
import { callNames } from '../api/contract';
import type { Dispatch } from '../api/dispatch';
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
): () => void {
  for (const name of callNames) {
    ipcMain.handle(callChannel(name), async (event, input): Promise<ApiResult<unknown>> => {
      const url = event.senderFrame?.url ?? '';
      if (!isTrustedUrl(url)) {
        return {
          ok: false,
          error: { code: 'unauthorized', message: `call ${name} refused from ${url || 'an unknown frame'}` },
        };
      }
      return dispatch(name, input);
    });
  }
  return () => {
    for (const name of callNames) ipcMain.removeHandler(callChannel(name));
  };
}
