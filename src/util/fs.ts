import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

const TEMP = /^\..+\.\d+\.[0-9a-f]{8}\.tmp$/;

/** Removes the temporary files an interrupted run may have left in a folder (never a finished output). */
export function removeStaleTemps(dir: string): void {
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) if (TEMP.test(n)) fs.rmSync(path.join(dir, n), { force: true });
}

function tempPath(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
}

/** Writes a file atomically: a temporary file in the same folder, then a rename. Replaces an existing file. */
export function writeFileAtomic(target: string, data: string | Uint8Array): void {
  const tmp = tempPath(target);
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Writes a file atomically and never replaces an existing one: the temporary file is linked to its
 * final name (which fails if the name exists), then removed. Returns false when the name was taken.
 */
export function writeFileAtomicNew(target: string, data: string | Uint8Array): boolean {
  const tmp = tempPath(target);
  fs.writeFileSync(tmp, data);
  try {
    fs.linkSync(tmp, target);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
