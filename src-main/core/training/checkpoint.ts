import { open, rename, rm, readFile } from 'node:fs/promises';

/**
 * A checkpoint file: the magic `ALGNCKPT`, a 4-byte little-endian header
 * length, a UTF-8 JSON header ({ meta, tensors: [{ name, shape, offset,
 * length }] }, padded to a multiple of 4 bytes), then every tensor's float32
 * values, little-endian. Written to a temporary name, flushed to disk and
 * renamed, so a kill at any moment leaves the previous checkpoint or the new
 * one, never half of one.
 */
export interface CheckpointTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export interface Checkpoint<M> {
  readonly meta: M;
  readonly tensors: Readonly<Record<string, CheckpointTensor>>;
}

const magic = 'ALGNCKPT';

export async function writeCheckpoint<M>(path: string, checkpoint: Checkpoint<M>): Promise<void> {
  const index: { name: string; shape: readonly number[]; offset: number; length: number }[] = [];
  let offset = 0;
  for (const [name, tensor] of Object.entries(checkpoint.tensors)) {
    index.push({ name, shape: tensor.shape, offset, length: tensor.data.length });
    offset += tensor.data.length;
  }
  let header = JSON.stringify({ meta: checkpoint.meta, tensors: index });
  while ((magic.length + 4 + Buffer.byteLength(header)) % 4 !== 0) header += ' ';
  const head = Buffer.alloc(magic.length + 4);
  head.write(magic, 0, 'ascii');
  head.writeUInt32LE(Buffer.byteLength(header), magic.length);
  const temporary = `${path}.tmp-${process.pid}`;
  const file = await open(temporary, 'w');
  try {
    await file.write(head);
    await file.write(Buffer.from(header, 'utf8'));
    for (const tensor of Object.values(checkpoint.tensors)) {
      await file.write(Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength));
    }
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, path).catch(async (err: unknown) => {
    await rm(temporary, { force: true });
    throw err;
  });
}

/** @throws Error naming the file when it is not a complete checkpoint */
export async function readCheckpoint<M>(path: string): Promise<Checkpoint<M>> {
  const bytes = await readFile(path);
  if (bytes.length < magic.length + 4 || bytes.toString('ascii', 0, magic.length) !== magic) {
    throw new Error(`${path} is not an Aligner checkpoint`);
  }
  const headerLength = bytes.readUInt32LE(magic.length);
  const start = magic.length + 4 + headerLength;
  const header = JSON.parse(bytes.toString('utf8', magic.length + 4, start)) as {
    meta: M;
    tensors: { name: string; shape: number[]; offset: number; length: number }[];
  };
  const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + bytes.length));
  const tensors: Record<string, CheckpointTensor> = {};
  for (const entry of header.tensors) {
    if (entry.offset + entry.length > values.length) throw new Error(`${path} is truncated (tensor ${entry.name})`);
    tensors[entry.name] = { shape: entry.shape, data: values.slice(entry.offset, entry.offset + entry.length) };
  }
  return { meta: header.meta, tensors };
}
