import type { AppContext } from '../core/app-context';
import { listSources } from '../core/library/sources';
import { queryWorklist, readThumbnails } from '../core/library/worklist';
import { readWorkspaceInfo } from '../core/workspace/workspace-info';
import type { Handlers } from './dispatch';

/** The contract's calls, each answered by a core service of the context. */
export function createHandlers(ctx: AppContext): Handlers {
  return {
    appInfo: () => ctx.appInfo(),
    workspaceInfo: () => readWorkspaceInfo(ctx.workspace()),
    workspaceOpen: ({ path }) => ctx.openWorkspace(path, { remember: true }),
    backendProbe: ({ preference, refresh }) => ctx.backend(preference, refresh),
    sourcesList: () => listSources(ctx.workspace().db),
    importStart: (request) => ctx.imports.start(request),
    importCancel: ({ jobId }) => ({ cancelled: ctx.imports.cancel(jobId) }),
    worklistQuery: (query) => queryWorklist(ctx.workspace().db, query),
    thumbnails: ({ ids }) => ({ items: readThumbnails(ctx.workspace().db, ids) }),
  };
}
