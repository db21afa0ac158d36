import type { AppContext } from '../core/app-context';
import { listSources } from '../core/library/sources';
import { queryWorklist, readThumbnails } from '../core/library/worklist';
import { readWorkspaceInfo } from '../core/workspace/workspace-info';
import { ApiFailure, type Handlers } from './dispatch';

/** What only a host can do (a native dialog); a host without it leaves it out. */
export interface HostServices {
  pickPaths?(kind: 'files' | 'folders', title?: string): Promise<string[]>;
}

/** The contract's calls, each answered by a core service of the context. */
export function createHandlers(ctx: AppContext, host: HostServices = {}): Handlers {
  return {
    appInfo: () => ctx.appInfo(),
    workspaceInfo: () => readWorkspaceInfo(ctx.workspace()),
    workspaceOpen: ({ path }) => ctx.openWorkspace(path, { remember: true }),
    backendProbe: ({ preference, refresh }) => ctx.backend(preference, refresh),
    sourcesList: () => listSources(ctx.workspace().db),
    importStart: (request) => ctx.imports.start(request),
    importCancel: ({ jobId }) => ({ cancelled: ctx.imports.cancel(jobId) }),
    demoBuild: () => ctx.demo.start(),
    demoCancel: () => ({ cancelled: ctx.demo.cancel() }),
    pickPaths: async ({ kind, title }) => {
      if (!host.pickPaths) {
        throw new ApiFailure({
          code: 'unavailable',
          message: 'file dialogs exist in the desktop app only; type a path on the host machine',
        });
      }
      return { paths: await host.pickPaths(kind, title) };
    },
    worklistQuery: (query) => queryWorklist(ctx.workspace().db, query),
    thumbnails: ({ ids }) => ({ items: readThumbnails(ctx.workspace().db, ids) }),
  };
}
