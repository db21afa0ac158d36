import { fork } from 'node:child_process';

/**
 * A child process seen from its parent, the same whether Electron's
 * `utilityProcess.fork` or Node's `child_process.fork` made it.
 */
export interface ChildHandle {
  postMessage(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (code: number | null) => void): void;
  kill(): void;
}

/** Starts `modulePath` (a built .js file) as a child process with `args`. */
export type ProcessLauncher = (modulePath: string, args: readonly string[]) => ChildHandle;

/** Node's fork, used by the browser host and the CLI. */
export const nodeLauncher: ProcessLauncher = (modulePath, args) => {
  const child = fork(modulePath, [...args], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  return {
    postMessage: (message) => {
      if (child.connected) child.send(message as object);
    },
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) => child.on('exit', (code) => listener(code)),
    kill: () => {
      child.kill();
    },
  };
};
