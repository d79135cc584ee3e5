import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

/** As hash.ts's digest, in the page (no node:crypto; WebCrypto's digest is asynchronous): the same hex. */
export function digest(text: string): string {
  return bytesToHex(sha256(new TextEncoder().encode(text))).slice(0, 32);
}
