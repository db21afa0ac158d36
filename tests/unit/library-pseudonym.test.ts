import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pseudonymPattern, pseudonymize, pseudonymizeOrNull } from '../../src-main/core/library/pseudonym';

const secret = 'a'.repeat(64);
const otherSecret = randomBytes(32).toString('hex');

describe('pseudonymize', () => {
  it('is deterministic for the same id and secret, and has the documented shape', () => {
    const first = pseudonymize(secret, 'patient00001');
    expect(first).toMatch(pseudonymPattern);
    expect(pseudonymize(secret, 'patient00001')).toBe(first);
  });

  it('differs between secrets (workspaces) and between ids', () => {
    expect(pseudonymize(otherSecret, 'patient00001')).not.toBe(pseudonymize(secret, 'patient00001'));
    expect(pseudonymize(secret, 'patient00002')).not.toBe(pseudonymize(secret, 'patient00001'));
  });

  it('never contains the raw id, in any case', () => {
    for (const id of ['12345678', 'patient00001', 'MRN-000123', 'DOEJOHN1970', '10000032']) {
      for (const key of [secret, otherSecret]) {
        expect(pseudonymize(key, id).toLowerCase()).not.toContain(id.toLowerCase());
      }
    }
  });

  it('ignores DICOM padding but not case or inner spaces', () => {
    const id = pseudonymize(secret, 'AB123');
    expect(pseudonymize(secret, 'AB123 ')).toBe(id);
    expect(pseudonymize(secret, ' AB123\0')).toBe(id);
    expect(pseudonymize(secret, 'ab123')).not.toBe(id);
    expect(pseudonymize(secret, 'AB 123')).not.toBe(id);
  });

  it('spreads ids: no collisions among 10,000 sequential ids', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) seen.add(pseudonymize(secret, String(i)));
    expect(seen.size).toBe(10_000);
  });

  it('refuses a blank id and a bad secret', () => {
    expect(() => pseudonymize(secret, '')).toThrow(/blank patient id/);
    expect(() => pseudonymize(secret, '   ')).toThrow(TypeError);
    expect(() => pseudonymize('', 'x')).toThrow(/secret must be hex of at least 16 bytes, got 0 characters/);
    expect(() => pseudonymize('abc', 'x')).toThrow(/secret/);
    expect(() => pseudonymize('zz'.repeat(32), 'x')).toThrow(/secret/);
    expect(() => pseudonymize('ab'.repeat(8), 'x')).toThrow(/secret/);
  });
});

describe('pseudonymizeOrNull', () => {
  it('gives null for a missing or blank id and the pseudonym otherwise', () => {
    expect(pseudonymizeOrNull(secret, null)).toBeNull();
    expect(pseudonymizeOrNull(secret, undefined)).toBeNull();
    expect(pseudonymizeOrNull(secret, ' ')).toBeNull();
    expect(pseudonymizeOrNull(secret, 'x')).toBe(pseudonymize(secret, 'x'));
  });

  it('still refuses a bad secret', () => {
    expect(() => pseudonymizeOrNull('nothex', null)).toThrow(/secret/);
  });
});
