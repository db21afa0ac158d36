import type { AppContext } from '../core/app-context';
import { readWorkspaceInfo } from '../core/workspace/workspace-info';
import type { Handlers } from './dispatch';

/** The contract's calls, each answered by a core service of the context. */
export function createHandlers(ctx: AppContext): Handlers {
  return {
    appInfo: () => ctx.appInfo(),
    workspaceInfo: () => readWorkspaceInfo(ctx.workspace()),
    workspaceOpen: ({ path }) => ctx.openWorkspace(path, { remember: true }),
    backendProbe: ({ preference, refresh }) => ctx.backend(preference, refresh),
  };
}
