import { resolve } from 'node:path';
import type { AppInfo, BackendReport, WorkspaceInfo } from '../api/contract';
import { EventBus } from '../api/event-bus';
import type { BackendPreference } from './compute/backend-names';
import { InstanceLock } from './db/instance-lock';
import { openWorkspace, type WorkspaceDb } from './db/open-workspace';
import { WorkspaceError } from './db/workspace-error';
import { DemoJobs } from './demo/demo-jobs';
import type { TrainerDeps } from './training/launch-run';
import { TrainingJobs } from './training/training-jobs';
import { StudyJobs } from './study/study-jobs';
import { ImportJobs } from './library/import/import-jobs';
import { productName } from './workspace/default-paths';
import { readWorkspaceInfo } from './workspace/workspace-info';
import { writeAppSettings, readAppSettings } from './workspace/app-settings';

export type BackendProber = (preference: BackendPreference) => Promise<BackendReport>;

export interface AppContextOptions {
  readonly host: AppInfo['host'];
  readonly version: string;
  readonly userDataDir: string;
  readonly electronVersion?: string | null;
  /** Runs the backend selection (in a child process for the app hosts). */
  readonly probeBackend: BackendProber;
  /** Hosts that write take the one-instance lock; read-only CLI commands do not. Default true. */
  readonly exclusive?: boolean;
  /** Remember a workspace opened through `workspaceOpen` in settings.json. Default true. */
  readonly rememberWorkspace?: boolean;
  /** How this host starts trainer processes; without it training calls answer that it cannot. */
  readonly trainer?: TrainerDeps;
  /** On opening a workspace, take over the studies a dead process left half-done. Default false (the CLI). */
  readonly resumeStudies?: boolean;
}

interface OpenedWorkspace {
  readonly ws: WorkspaceDb;
  readonly lock: InstanceLock | null;
}

/**
 * The state one host shares between its API handlers: the open workspace, the
 * compute backend report, and the event bus. One per process.
 */
export class AppContext {
  readonly events = new EventBus();
  readonly imports = new ImportJobs(() => this.workspace(), this.events);
  readonly demo = new DemoJobs(() => this.workspace(), this.events);
  readonly training = new TrainingJobs(
    () => this.workspace(),
    this.events,
    () => this.options.trainer ?? null,
    (runId) => this.studies.isTraining(runId),
  );
  readonly studies = new StudyJobs(
    () => this.workspace(),
    this.events,
    () => this.options.trainer ?? null,
  );
  #current: OpenedWorkspace | null = null;
  readonly #backendReports = new Map<BackendPreference, Promise<BackendReport>>();

  constructor(readonly options: AppContextOptions) {}

  appInfo(): AppInfo {
    return {
      name: productName,
      version: this.options.version,
      host: this.options.host,
      platform: `${process.platform}-${process.arch}`,
      node: process.versions.node,
      electron: this.options.electronVersion ?? null,
      userDataDir: this.options.userDataDir,
    };
  }

  /** The open workspace; a clear error when none could be opened. */
  workspace(): WorkspaceDb {
    if (!this.#current) {
      throw new WorkspaceError('no_workspace', '', 'no workspace is open; choose one in Settings');
    }
    return this.#current.ws;
  }

  hasWorkspace(): boolean {
    return this.#current !== null;
  }

  /**
   * Opens the workspace at `path` and makes it current. The previous one stays
   * open until the new one has opened, so a failure leaves the app as it was.
   */
  openWorkspace(path: string, { remember = false } = {}): WorkspaceInfo {
    const abs = resolve(path);
    if (this.#current?.ws.path === abs) return readWorkspaceInfo(this.#current.ws);
    const lock = this.options.exclusive === false ? null : InstanceLock.acquire(abs);
    let ws: WorkspaceDb;
    try {
      ws = openWorkspace(abs);
    } catch (err) {
      lock?.release();
      throw err;
    }
    this.closeWorkspace();
    this.#current = { ws, lock };
    if (remember && this.options.rememberWorkspace !== false) {
      writeAppSettings(this.options.userDataDir, { ...readAppSettings(this.options.userDataDir), workspacePath: abs });
    }
    const info = readWorkspaceInfo(ws);
    this.events.emit('workspaceChanged', info);
    if (this.options.resumeStudies === true && this.options.trainer) {
      try {
        this.studies.resumeInterrupted();
      } catch (err) {
        console.error(`resuming interrupted studies: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return info;
  }

  closeWorkspace(): void {
    if (!this.#current) return;
    this.imports.cancelAll();
    this.demo.cancel();
    this.training.cancelAll();
    this.studies.stopAll();
    this.#current.ws.close();
    this.#current.lock?.release();
    this.#current = null;
  }

  /** The backend report for a preference, probed once and cached unless `refresh`. */
  backend(preference: BackendPreference = 'auto', refresh = false): Promise<BackendReport> {
    let report = this.#backendReports.get(preference);
    if (!report || refresh) {
      report = this.options.probeBackend(preference);
      this.#backendReports.set(preference, report);
      report.then(
        (value) => this.events.emit('backendChanged', value),
        () => this.#backendReports.delete(preference),
      );
    }
    return report;
  }

  /** The auto backend's choice if probed already, without waiting. */
  async settledBackendName(): Promise<string | null> {
    const pending = this.#backendReports.get('auto');
    if (!pending) return null;
    const timeout = new Promise<null>((done) => setTimeout(() => done(null), 0));
    const report = await Promise.race([pending.catch(() => null), timeout]);
    return report?.chosen ?? null;
  }

  close(): void {
    this.closeWorkspace();
  }
}
