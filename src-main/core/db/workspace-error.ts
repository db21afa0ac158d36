/** Why a workspace database could not be opened or used. */
export type WorkspaceErrorCode =
  'is_directory' | 'unreadable' | 'not_found' | 'locked' | 'in_use' | 'corrupt' | 'newer_schema' | 'no_workspace';

/**
 * A failure that names the database file and says what the user can do.
 * The message is one line so the CLI can print it as is.
 */
export class WorkspaceError extends Error {
  constructor(
    readonly code: WorkspaceErrorCode,
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'WorkspaceError';
  }
}
