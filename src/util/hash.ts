import crypto from 'node:crypto';

/** A short stable digest of a text (128 bits of SHA-256, hexadecimal). */
export function digest(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex').slice(0, 32);
}
