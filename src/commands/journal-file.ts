import fs from 'node:fs';
import path from 'node:path';
import { Journal, JOURNAL_NAME } from '../journal/journal.js';
import { insideFolder, writeFileAtomic } from '../util/fs.js';
import { holdsDepositLock } from '../util/lock.js';

/** The journal's file in a deposit folder. */
export function journalPath(dir: string): string {
  return insideFolder(dir, JOURNAL_NAME);
}

/** Loads the journal of a folder, or of a journal file; empty when there is none yet. */
export function loadJournal(dirOrFile: string): Journal {
  const file = dirOrFile.endsWith('.json') ? dirOrFile : journalPath(dirOrFile);
  if (!fs.existsSync(file)) return new Journal(file, []);
  return Journal.parse(file, fs.readFileSync(file, 'utf8'));
}

/** Writes the journal back: only under the deposit folder's lock, taken before it was loaded (util/lock.ts). */
export function saveJournal(journal: Journal): void {
  const dir = path.dirname(journal.file);
  if (!holdsDepositLock(dir)) throw new Error(`Journal ${journal.file} : enregistrement hors du verrou du dossier.`);
  writeFileAtomic(insideFolder(dir, path.basename(journal.file)), journal.text());
}
