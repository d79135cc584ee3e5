import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { UserError } from './errors.js';

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
    throw withPath(e, target);
  }
}

/** A write through a descriptor fails without a path (EFBIG, ENOSPC): the fault names the file meant. */
function withPath(e: unknown, target: string): unknown {
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err === 'object' && err.code && !err.path) err.path = target;
  return e;
}

/**
 * Writes a file atomically and never replaces an existing one: the temporary file is linked to its
 * final name (which fails if the name exists), then removed. Returns false when the name was taken.
 */
export function writeFileAtomicNew(target: string, data: string | Uint8Array): boolean {
  const tmp = tempPath(target);
  try {
    fs.writeFileSync(tmp, data);
    fs.linkSync(tmp, target);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw withPath(e, target);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** True when `inner` is `outer` or lies under it (both absolute). */
function isWithin(outer: string, inner: string): boolean {
  const rel = path.relative(outer, inner);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The real path of a folder, or of its nearest existing parent (a folder not made yet has none of its own). */
function realFolder(dir: string): string {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    try {
      return path.join(fs.realpathSync(d), path.relative(d, path.resolve(dir)));
    } catch {
      if (path.dirname(d) === d) return path.resolve(dir);
    }
  }
}

/**
 * The path of a file to write in the deposit folder `root`, under the plain names `parts` (a subfolder,
 * then the file: "historique", "x.xlsx"). Refused (UserError, nothing opened) unless every part is a plain
 * name (no folder separator, not "." or "..") and the file's folder really lies inside `root`, links
 * followed: every writer of a deposit folder asks this before opening a file.
 */
export function insideFolder(root: string, ...parts: string[]): string {
  const target = path.join(root, ...parts);
  const plain = parts.length > 0 && parts.every((p) => p !== '' && p !== '.' && p !== '..' && !/[/\\\0]/.test(p));
  if (!plain || !isWithin(realFolder(root), realFolder(path.dirname(target)))) {
    throw new UserError(
      `Écriture refusée : « ${parts.join('/')} » ne désigne pas un fichier du dossier de sortie ${root} ` +
        `(séparateur de dossier, « .. » ou lien qui en sort). Rien n'a été écrit sous ce nom.`,
    );
  }
  return target;
}
