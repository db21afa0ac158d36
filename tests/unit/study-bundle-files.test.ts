import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { BundleImage } from '../../src-main/api/bundle-schemas';
import { imagesCsv, parseImagesCsv, parseSubsetsCsv, subsetsCsv } from '../../src-main/core/study/bundle/bundle-csv';
import { readTar, writeTar } from '../../src-main/core/study/bundle/tar';

const key = (n: number): string => createHash('sha256').update(`image ${n}`).digest('hex');

describe('bundle tar', () => {
  const entries = [
    { name: 'bundle.json', data: Buffer.from('{"a":1}\n') },
    { name: 'empty.txt', data: Buffer.alloc(0) },
    { name: 'exact.bin', data: Buffer.alloc(512, 7) },
    { name: 'dir/odd.bin', data: Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251)) },
  ];

  it('reads back what it writes, byte for byte, in order', () => {
    const archive = writeTar(entries, 1_700_000_000);
    expect(archive.length % 512).toBe(0);
    const back = readTar(archive);
    expect(back.map((e) => e.name)).toEqual(entries.map((e) => e.name));
    back.forEach((e, i) => expect(e.data.equals(entries[i]!.data)).toBe(true));
    // ustar magic and a valid octal size field, as GNU tar expects.
    expect(archive.subarray(257, 263).toString('latin1')).toBe('ustar\0');
    expect(archive.subarray(124, 135).toString('latin1')).toBe('00000000010');
  });

  it('refuses a damaged header, a truncated archive, a link, and names that could escape', () => {
    const archive = writeTar(entries, 0);
    const damaged = Buffer.from(archive);
    damaged[10] = 0x41;
    expect(() => readTar(damaged)).toThrow(/bad header checksum at byte 0/);
    expect(() => readTar(archive.subarray(0, 700))).toThrow(/truncated/);
    const link = Buffer.from(writeTar([{ name: 'a', data: Buffer.alloc(0) }], 0));
    link.write('2', 156, 'latin1');
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : link[i]!;
    link.write(`${sum.toString(8).padStart(6, '0')}\0`, 148, 'latin1');
    expect(() => readTar(link)).toThrow(/'a', which is not a regular file/);
    expect(() => writeTar([{ name: '../evil', data: Buffer.alloc(1) }], 0)).toThrow(/without '\.\.'/);
    expect(() => writeTar([{ name: 'x'.repeat(101), data: Buffer.alloc(1) }], 0)).toThrow(/at most 100 bytes/);
  });
});

describe('bundle CSVs', () => {
  const images: BundleImage[] = [
    { key: key(1), source: 'site a', split: 'train', label: 1, maskSha256: key(100) },
    { key: key(2), source: 'site a', split: 'train', label: null, maskSha256: null },
    { key: key(3), source: 'held', split: 'test', label: 0, maskSha256: null },
  ];

  it('round-trips images and subsets', () => {
    expect(parseImagesCsv(imagesCsv(images))).toEqual(images);
    const subsets = [
      { index: 0, train: [key(1), key(2)], aligned: new Set([key(1)]) },
      { index: 1, train: [key(2)], aligned: new Set<string>() },
    ];
    expect(parseSubsetsCsv(subsetsCsv(subsets))).toEqual(subsets);
  });

  it('names the file and line of what it cannot read, and refuses a source name CSV cannot hold', () => {
    const csv = imagesCsv(images);
    expect(() => parseImagesCsv(csv.replace('image,', 'img,'))).toThrow(/images\.csv does not start with the header/);
    expect(() => parseImagesCsv(csv.replace(',test,0,', ',test,2,'))).toThrow(/images\.csv line 4: label '2'/);
    expect(() => parseImagesCsv(csv.replace(',test,', ',ood,'))).toThrow(/line 4: split 'ood'/);
    expect(() => parseImagesCsv(csv.replace(key(2), 'abc'))).toThrow(/line 3: 'abc' is not an image key/);
    expect(() => parseSubsetsCsv(`run,image,aligned\n0,${key(1)},yes\n`)).toThrow(/line 2: aligned 'yes'/);
    expect(() => parseSubsetsCsv(`run,image,aligned\n0,${key(1)}\n`)).toThrow(/line 2: 2 fields, expected 3/);
    expect(() => imagesCsv([{ ...images[0]!, source: 'a,b' }])).toThrow(/holds a comma/);
  });
});
