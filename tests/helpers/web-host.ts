import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { outMain, requireBuild } from './paths';

export interface RunningHost {
  readonly url: string;
  readonly port: number;
  readonly process: ChildProcess;
  /** Everything the host printed, for failure messages. */
  output(): string;
  stop(): Promise<number | null>;
}

/**
 * Starts the built browser host (`out/main/web.js`) on a free port and waits
 * for the line that announces its address.
 */
export async function startHost(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<RunningHost> {
  requireBuild();
  const child = spawn(process.execPath, [join(outMain, 'web.js'), '--port', '0', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`browser host did not start:\n${output}`)), 30_000);
    const check = (): void => {
      const match = /browser host: (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`browser host exited with ${code}:\n${output}`));
    });
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    url,
    port: Number(new URL(url).port),
    process: child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Runs a host that is expected to refuse to start; resolves with its exit code and output. */
export function runHostExpectingExit(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; output: string }> {
  requireBuild();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(outMain, 'web.js'), '--port', '0', ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
