/**
 * The few parts of POSIX ustar (IEEE 1003.1-1988, as GNU tar and bsdtar read and write it) a reproducibility
 * bundle needs: regular files with short names, written and read in memory. A bundle is small (a few MB:
 * CSVs and JSON), so a whole archive in a Buffer is fine; `tar -tzf` and `tar -xzf` open what this writes,
 * and an archive re-packed with GNU tar (`tar -czf b.tar.gz bundle.json …`) reads back here.
 */

const BLOCK = 512;

export interface TarEntry {
  /** '/'-separated, relative, at most 100 bytes (no ustar prefix field used). */
  readonly name: string;
  readonly data: Buffer;
}

/** An archive with every entry as a regular file (mode 0644, owner 0, `mtime` seconds since 1970). */
export function writeTar(entries: readonly TarEntry[], mtime: number): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    checkName(entry.name);
    parts.push(header(entry.name, entry.data.length, mtime), entry.data, Buffer.alloc(padding(entry.data.length)));
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

/**
 * The regular files of an archive, in archive order. Directories are skipped; GNU long names (`L`) and pax
 * headers (`x`, `g`) are honoured as far as a name goes; links and devices are refused.
 *
 * @throws Error naming the offset for a truncated archive, a bad checksum or an entry that is not a file
 */
export function readTar(archive: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  let offset = 0;
  let longName: string | null = null;
  while (offset + BLOCK <= archive.length) {
    const block = archive.subarray(offset, offset + BLOCK);
    if (block.every((b) => b === 0)) return entries;
    if (checksum(block) !== octal(block, 148, 8))
      throw new Error(`not a tar archive (bad header checksum at byte ${offset})`);
    const size = octal(block, 124, 12);
    const type = String.fromCharCode(block[156] ?? 0);
    const start = offset + BLOCK;
    if (start + size > archive.length) throw new Error(`the tar archive is truncated (entry at byte ${offset})`);
    const data = archive.subarray(start, start + size);
    offset = start + size + padding(size);
    if (type === 'L') {
      longName = text(data, 0, data.length);
      continue;
    }
    if (type === 'x' || type === 'g') {
      const path = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString('utf8'));
      if (path && type === 'x') longName = path[1] ?? null;
      continue;
    }
    if (type === '5') {
      longName = null;
      continue;
    }
    const prefix = text(block, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${text(block, 0, 100)}` : text(block, 0, 100));
    longName = null;
    if (type !== '0' && type !== '\0' && type !== '7')
      throw new Error(`the tar archive holds '${name}', which is not a regular file (type '${type}')`);
    entries.push({ name: name.replace(/^\.\//, ''), data: Buffer.from(data) });
  }
  throw new Error('the tar archive is truncated (no end-of-archive blocks)');
}

function header(name: string, size: number, mtime: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(name, 0, 100, 'utf8');
  writeOctal(block, 100, 8, 0o644);
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  writeOctal(block, 124, 12, size);
  writeOctal(block, 136, 12, Math.max(0, Math.floor(mtime)));
  block.fill(0x20, 148, 156); // the checksum counts its own field as spaces
  block.write('0', 156, 1, 'ascii');
  block.write('ustar\u000000', 257, 8, 'ascii');
  writeOctal(block, 148, 7, checksum(block));
  return block;
}

function checkName(name: string): void {
  if (Buffer.byteLength(name, 'utf8') > 100 || name === '' || name.startsWith('/') || name.split('/').includes('..'))
    throw new Error(`cannot store '${name}' in a bundle: names are relative, without '..', at most 100 bytes`);
}

/** Octal digits, zero-padded, NUL-terminated, in a field of `length` bytes. */
function writeOctal(block: Buffer, at: number, length: number, value: number): void {
  block.write(`${value.toString(8).padStart(length - 1, '0')}\0`, at, length, 'ascii');
}

function octal(block: Buffer, at: number, length: number): number {
  const field = text(block, at, length).trim();
  return field === '' ? 0 : parseInt(field, 8);
}

function text(block: Buffer, at: number, length: number): string {
  const field = block.subarray(at, at + length);
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? field.length : end).toString('utf8');
}

/** The unsigned sum of the header with its checksum field read as spaces. */
function checksum(block: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] as number);
  return sum;
}

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}
