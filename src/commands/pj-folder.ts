import fs from 'node:fs';
import path from 'node:path';
import type { PjFolder, PjFound } from '../pj/check.js';

function readHead(file: string): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(64);
    const n = fs.readSync(fd, buf, 0, 64, 0);
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/**
 * The PJ folder on disk (convert --pj): a document is found by its real path, so that a symbolic link
 * leading out of the folder is seen as such; read only when its .zip is built.
 */
export function diskPjFolder(pjDir: string): PjFolder {
  let root: string;
  try {
    root = fs.realpathSync(pjDir);
  } catch {
    throw new Error(`dossier des pièces ${pjDir} introuvable`);
  }
  const find = (segments: string[]): PjFound | 'absent' | 'outside' => {
    let real: string;
    try {
      real = fs.realpathSync(path.join(pjDir, ...segments));
    } catch {
      return 'absent';
    }
    if (!inside(root, real)) return 'outside';
    const stat = fs.statSync(real);
    if (!stat.isFile()) return 'absent';
    return { size: stat.size, head: () => readHead(real), bytes: () => fs.readFileSync(real) };
  };
  return { dir: pjDir, find };
}
