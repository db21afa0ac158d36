import { readWorkspaceInfo } from '../../core/workspace/workspace-info';
import type { Command } from '../command';

export const workspaceInfoCommand: Command = {
  path: ['workspace', 'info'],
  summary: 'path, schema version and counts of a workspace',
  usage: 'aligner workspace info [--db PATH] [--json]',
  options: {},
  run: ({ workspace }) => {
    const info = readWorkspaceInfo(workspace());
    const lines = [
      `workspace  ${info.path}`,
      `schema     ${info.schemaVersion} (this app supports up to ${info.supportedSchemaVersion})`,
      `created    ${info.createdAt ?? 'unknown'}`,
      `size       ${(info.sizeBytes / 1024 / 1024).toFixed(2)} MiB`,
      ...Object.entries(info.counts).map(([name, n]) => `${name.padEnd(10)} ${n}`),
    ];
    return { json: info, text: lines.join('\n') };
  },
};
