import JSZip from 'jszip';
import type { PjFile } from './check.js';

/** "200 Mo" read as 200 000 000 bytes. */
export const MAX_ZIP_BYTES = 200_000_000;

/** The zip limit; tests lower it with XLSX2SEGUR_TEST_ZIP_LIMIT to stay small (never set it otherwise). */
export function zipLimit(): number {
  const t = Number(process.env.XLSX2SEGUR_TEST_ZIP_LIMIT);
  return Number.isFinite(t) && t > 0 ? t : MAX_ZIP_BYTES;
}

const FIXED_DATE = new Date(Date.UTC(2021, 9, 25, 0, 0, 0));

/**
 * Exact size of the .zip jszip writes for these entries, stored (PJ are PDF/PNG/JPEG, already compressed):
 * per entry a local header (30 + name) and a central directory record (46 + name), plus the data; then
 * the end record (22).
 */
export function zipSize(files: PjFile[]): number {
  let n = 22;
  for (const f of files) {
    const name = Buffer.byteLength(f.name, 'utf8');
    n += 30 + name + 46 + name + f.size;
  }
  return n;
}

/** Builds the .zip of one JSON file's PJ: fixed entry dates and order, so the same inputs give the same bytes. */
export async function buildZip(files: PjFile[]): Promise<Uint8Array> {
  const zip = new JSZip();
  for (const f of files) {
    zip.file(f.name, f.bytes(), { date: FIXED_DATE, createFolders: false, binary: true });
  }
  return zip.generateAsync({ type: 'uint8array', compression: 'STORE', platform: 'DOS' });
}
