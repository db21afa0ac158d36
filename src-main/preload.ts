/**
 * The preload of the main window (sandboxed, context-isolated). It exposes
 * named calls only: a call name outside the contract is refused here, and
 * event messages are checked against the contract's event names.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { binaryChannel, callChannel, eventChannel, type WorkstationBridge } from './api/bridge';
import { isBinaryCallName, isCallName, isEventName, type EventMessage } from './api/contract';

const bridge: WorkstationBridge = {
  call: (name, input) => {
    if (typeof name !== 'string' || !isCallName(name)) {
      return Promise.resolve({
        ok: false,
        error: { code: 'unknown_call', message: `unknown API call '${String(name)}'` },
      });
    }
    return ipcRenderer.invoke(callChannel(name), input) as ReturnType<WorkstationBridge['call']>;
  },
  binary: (name, input) => {
    if (typeof name !== 'string' || !isBinaryCallName(name)) {
      return Promise.resolve({
        ok: false,
        error: { code: 'unknown_call', message: `unknown binary API call '${String(name)}'` },
      });
    }
    return ipcRenderer.invoke(binaryChannel(name), input) as ReturnType<WorkstationBridge['binary']>;
  },
  pathForFile: (file) => webUtils.getPathForFile(file),
  onEvent: (listener) => {
    const handler = (_event: IpcRendererEvent, message: unknown): void => {
      const candidate = message as Partial<EventMessage> | null;
      if (candidate && typeof candidate.event === 'string' && isEventName(candidate.event))
        listener(message as EventMessage);
    };
    ipcRenderer.on(eventChannel, handler);
    return () => {
      ipcRenderer.removeListener(eventChannel, handler);
    };
  },
};

contextBridge.exposeInMainWorld('workstation', bridge);
