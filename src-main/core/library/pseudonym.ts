/**
 * Patient pseudonyms: the workspace stores a keyed hash of each patient id, never the id itself, so images of
 * one patient can be grouped (and kept in one data split) without the id leaving the hospital's files.
 *
 * The key is the per-workspace secret created with the schema (`meta.pseudonym_secret`, 32 random bytes as
 * hex): pseudonyms are stable within a workspace and unlinkable across workspaces. They are only as private as
 * that secret; without it, guessing ids and comparing hashes is the only way back, and that is why the hash is
 * keyed rather than a plain SHA-256 of a short, guessable id.
 */
import { createHmac } from 'node:crypto';

/** What every pseudonym looks like: `P-` and 12 RFC 4648 base32 characters (60 bits of the HMAC). */
export const pseudonymPattern = /^P-[A-Z2-7]{12}$/;

/** Shortest secret accepted, in bytes (the workspace makes 32). */
const MIN_SECRET_BYTES = 16;
/** Separates these hashes from any other use of the same secret. */
const CONTEXT = 'aligner-workstation/patient-id/v1\0';
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * The pseudonym of a patient id: HMAC-SHA256 keyed with the workspace secret, shown as `P-` + 12 base32
 * characters (e.g. `P-K7Q2M4XTRZAB`). Deterministic. With 60 bits, two of a million patients share a
 * pseudonym with probability below 1e-6.
 *
 * The id is compared as DICOM compares PatientID (LO): leading and trailing spaces and NUL padding are not
 * significant; case and inner spaces are.
 *
 * @param secretHex the workspace secret, hex, at least 16 bytes.
 * @throws TypeError for a blank id (use {@link pseudonymizeOrNull} where an id may be missing) or a secret
 *   that is not even-length hex of at least 16 bytes.
 */
export function pseudonymize(secretHex: string, patientId: string): string {
  const key = secretKey(secretHex);
  const id = normalizePatientId(patientId);
  if (id === null) throw new TypeError('cannot pseudonymize a blank patient id');
  const digest = createHmac('sha256', key).update(CONTEXT).update(id, 'utf8').digest();
  return `P-${base32(digest).slice(0, 12)}`;
}

/** {@link pseudonymize}, but a missing or blank id gives null (the image has no known patient). */
export function pseudonymizeOrNull(secretHex: string, patientId: string | null | undefined): string | null {
  if (patientId === null || patientId === undefined || normalizePatientId(patientId) === null) {
    secretKey(secretHex); // a bad secret is still an error, whatever the id
    return null;
  }
  return pseudonymize(secretHex, patientId);
}

function normalizePatientId(raw: string): string | null {
  const id = raw.replace(/^[\s\0]+|[\s\0]+$/g, '');
  return id === '' ? null : id;
}

function secretKey(secretHex: string): Buffer {
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(secretHex) || secretHex.length < MIN_SECRET_BYTES * 2) {
    throw new TypeError(
      `pseudonym secret must be hex of at least ${MIN_SECRET_BYTES} bytes, got ${secretHex.length} characters`,
    );
  }
  return Buffer.from(secretHex, 'hex');
}

/** RFC 4648 base32, no padding. */
function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32[(buffer >>> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}
