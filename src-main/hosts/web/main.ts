/**
 * `npm run start:web`: the browser host. Serves the built renderer and the API
 * on http://127.0.0.1:PORT for a browser, a headless GPU server, and the
 * end-to-end tests.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createBinaryDispatch, createDispatch } from '../../api/dispatch';
import { createBinaryHandlers, createHandlers } from '../../api/handlers';
import { AppContext } from '../../core/app-context';
import { appVersion } from '../../core/app-version';
import { probeInChild } from '../../core/compute/probe-client';
import { nodeLauncher } from '../../core/process/launcher';
import { defaultUserDataDir } from '../../core/workspace/default-paths';
import { resolveWorkspacePath } from '../../core/workspace/resolve-workspace-path';
import { isLoopback, startWebHost, type WebHost } from './server';
import { setEntryDir } from '../../core/runtime-paths';

const usage = `usage: node out/main/web.js [--port N] [--host ADDR --token TOKEN] [--db PATH]

  --port N       port to listen on (default 4870; 0 picks a free one)
  --host ADDR    interface to bind (default 127.0.0.1); any non-loopback address needs --token
  --token TOKEN  require this token on every API request and on the events socket
                 (or set ALIGNER_TOKEN); open the app as http://HOST:PORT/?token=TOKEN
  --db PATH      workspace database (default: last chosen in Settings, else the user-data folder)`;

async function main(): Promise<void> {
  setEntryDir(import.meta.dirname);
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4870' },
      host: { type: 'string', default: '127.0.0.1' },
      token: { type: 'string' },
      db: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be an integer 0..65535, got '${values.port}'`);
  const token = values.token ?? process.env.ALIGNER_TOKEN;
  if (!isLoopback(values.host) && !token) {
    throw new UsageError(
      `--host ${values.host} is not loopback: the workspace would be open to the network; give --token`,
    );
  }

  const userDataDir = defaultUserDataDir();
  const outMain = import.meta.dirname;
  const context = new AppContext({
    host: 'browser',
    version: appVersion,
    userDataDir,
    probeBackend: (preference) => probeInChild(nodeLauncher, join(outMain, 'compute-probe.js'), preference),
    rememberWorkspace: values.db === undefined,
    trainer: { launcher: nodeLauncher, trainerModule: join(outMain, 'trainer-process.js') },
    resumeStudies: true,
  });
  // Signal handlers before anything opens: a signal while starting still closes the workspace cleanly.
  let host: WebHost | null = null;
  const shutdown = (): void => {
    void (host?.close() ?? Promise.resolve()).finally(() => {
      context.close();
      process.exit(0);
    });
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);

  context.openWorkspace(resolveWorkspacePath(values.db, userDataDir));
  void context.backend('auto').catch((err: unknown) => console.error(`backend probe: ${String(err)}`));

  host = await startWebHost({
    dispatch: createDispatch(createHandlers(context)),
    binaryDispatch: createBinaryDispatch(createBinaryHandlers(context)),
    events: context.events,
    rendererDir: join(outMain, '..', 'renderer'),
    host: values.host,
    port,
    token,
    health: async () => ({ version: appVersion, backend: await context.settledBackendName() }),
  });
  process.stdout.write(`Aligner Workstation ${appVersion} browser host: ${host.url}\n`);
  process.stdout.write(`workspace: ${context.workspace().path}\n`);
}

class UsageError extends Error {}

main().catch((err: unknown) => {
  process.stderr.write(`aligner web: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
