import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** The image attributes dcmdump prints at the top level of a file (not inside sequences). */
export interface DcmdumpHeader {
  readonly rows: number | null;
  readonly columns: number | null;
  readonly bitsAllocated: number | null;
  readonly bitsStored: number | null;
  readonly photometric: string | null;
}

/** dcmdump's view of `path`, or its error line when it cannot read the file. */
export function dcmdumpHeader(path: string): { header: DcmdumpHeader } | { error: string } {
  const run = spawnSync('dcmdump', ['-M', '+uc', path], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.error) throw run.error;
  if (run.status !== 0) return { error: (run.stderr.split('\n').find((l) => l.startsWith('E:')) ?? run.stderr).trim() };
  const top = new Map<string, string>();
  for (const line of run.stdout.split('\n')) {
    // Top-level elements are not indented: "(0028,0010) US 64    #   2, 1 Rows".
    const match = /^\(([0-9a-f]{4},[0-9a-f]{4})\) \w\w (.*?)\s+#/.exec(line);
    if (match?.[1] && match[2] !== undefined && !top.has(match[1])) top.set(match[1], match[2]);
  }
  const number = (tag: string): number | null => {
    const value = top.get(tag);
    return value === undefined || !/^\d+$/.test(value) ? null : Number(value);
  };
  const photometric = /^\[(.*)\]$/.exec(top.get('0028,0004') ?? '')?.[1]?.trim() ?? null;
  return {
    header: {
      rows: number('0028,0010'),
      columns: number('0028,0011'),
      bitsAllocated: number('0028,0100'),
      bitsStored: number('0028,0101'),
      photometric,
    },
  };
}

/** dcmtk's decompressor for a transfer syntax, or null when it needs none (or dcmtk has none: JPEG 2000). */
export function dcmtkDecompressor(transferSyntax: string | null): string | null {
  if (transferSyntax === '1.2.840.10008.1.2.5') return 'dcmdrle';
  if (transferSyntax === '1.2.840.10008.1.2.4.80' || transferSyntax === '1.2.840.10008.1.2.4.81') return 'dcmdjpls';
  if (transferSyntax && /^1\.2\.840\.10008\.1\.2\.4\.(50|51|57|70)$/.test(transferSyntax)) return 'dcmdjpeg';
  return null;
}

/**
 * Decompresses `path` with dcmtk into `dir` (explicit VR little endian); returns the new path, or
 * the tool's error when it fails.
 */
export function dcmtkDecompress(
  tool: string,
  path: string,
  dir: string,
  name: string,
): { path: string } | { error: string } {
  const out = join(dir, name.replace(/[^\w.-]/g, '_'));
  try {
    execFileSync(tool, [path, out], { stdio: ['ignore', 'ignore', 'pipe'] });
    return { path: out };
  } catch (err) {
    const stderr = String((err as { stderr?: Buffer }).stderr ?? '');
    return {
      error: `${tool}: ${stderr.split('\n').find((l) => l.startsWith('E:') || l.startsWith('F:')) ?? 'failed'}`,
    };
  }
}
