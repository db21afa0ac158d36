/**
 * The child side of a launcher's channel: Electron's utility processes talk
 * through `process.parentPort`, Node's forked children through `process.send`.
 */
interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

export interface ParentChannel {
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
}

export function parentChannel(): ParentChannel {
  const port = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (port) {
    return {
      send: (message) => port.postMessage(message),
      onMessage: (listener) => port.on('message', (event) => listener(event.data)),
    };
  }
  if (typeof process.send !== 'function') {
    throw new Error('this module runs as a child process of Aligner Workstation, not directly');
  }
  return {
    // A parent that died (kill -9) closes the channel: the send is dropped (with a callback, Node reports the
    // EPIPE there instead of crashing the child with it), and 'disconnect' ends the child.
    send: (message) => {
      if (process.connected) process.send?.(message, undefined, undefined, () => undefined);
    },
    onMessage: (listener) => process.on('message', listener),
  };
}
