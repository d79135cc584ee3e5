import fs from 'node:fs';
import path from 'node:path';
import { insideFolder, writeFileAtomic } from '../util/fs.js';
import { UserError } from '../util/errors.js';

/**
 * The living results workbook: one per workbook the vendor fills, `<nom>.resultats.xlsx` in the deposit
 * folder, brought up to date by every command. The version it replaces, when different, is kept in the
 * folder's history, never lost.
 */
export const HISTORY_DIR = 'historique';

export { livingName, sourceName } from '../annotate/mark.js';

const pad = (n: number) => String(n).padStart(2, '0');

function stamp(now: Date): string {
  return `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
}

/** Copies the current version of a living workbook into the history folder; returns where. */
function keep(target: string, now: Date): string {
  const root = path.dirname(target);
  fs.mkdirSync(insideFolder(root, HISTORY_DIR), { recursive: true });
  const base = path.basename(target).replace(/\.xlsx$/i, '');
  for (let n = 1; ; n++) {
    const name = insideFolder(root, HISTORY_DIR, `${base}.${stamp(now)}${n > 1 ? `-${n}` : ''}.xlsx`);
    try {
      fs.copyFileSync(target, name, fs.constants.COPYFILE_EXCL);
      return name;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

/**
 * Writes a living workbook: the same bytes leave it as it is; other bytes replace it, its version kept in
 * the history first. Returns the history copy (null when none was needed). A workbook that cannot be
 * replaced (open in Excel on Windows, read-only) is a UserError that says so; the file stays as it was.
 */
export function replaceLiving(target: string, bytes: Buffer, now = new Date()): string | null {
  let current: Buffer | undefined;
  try {
    current = fs.readFileSync(target);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw cannotReplace(target, code);
  }
  if (current?.equals(bytes)) return null;
  let kept: string | null = null;
  try {
    if (current) kept = keep(target, now);
    writeFileAtomic(target, bytes);
  } catch (e) {
    if (kept) fs.rmSync(kept, { force: true });
    if (e instanceof UserError) throw e;
    throw cannotReplace(target, (e as NodeJS.ErrnoException).code);
  }
  return kept;
}

function cannotReplace(target: string, code: string | undefined): UserError {
  return new UserError(
    `${target} n'a pas pu être mis à jour (${code ?? 'erreur'}) : est-il ouvert dans Excel, ou en lecture seule ? ` +
      `Fermez-le, puis relancez « xlsx2segur validate » sur ce classeur avec -o ${path.dirname(target)} pour le mettre à jour. ` +
      `Rien d'autre n'est perdu : les fichiers JSON et le journal sont à jour, et ce classeur est resté tel qu'il était.`,
  );
}
