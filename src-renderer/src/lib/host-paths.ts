/**
 * Paths on the host machine, handled as text: the renderer has no `node:path`, and the host may be Windows
 * while the browser is not. The separator is the one the path itself uses.
 */

function separatorOf(path: string): '/' | '\\' {
  return path.includes('\\') && !path.includes('/') ? '\\' : '/';
}

/** The folder holding `path` (a workspace file, say); '' for a bare name. */
export function folderOf(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return cut <= 0 ? path.slice(0, cut + 1) : path.slice(0, cut);
}

/** `folder` + `name` with the folder's separator. */
export function joinHostPath(folder: string, name: string): string {
  const separator = separatorOf(folder);
  return folder.endsWith(separator) ? `${folder}${name}` : `${folder}${separator}${name}`;
}
