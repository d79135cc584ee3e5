import fs from 'node:fs';
import path from 'node:path';
import type { WrittenFile } from '../emit/files.js';
import { UserError } from '../util/errors.js';
import { ioMessage } from '../util/io-errors.js';

/**
 * A conversion is all or nothing: when writing a JSON file, a .zip or the journal fails, the files this run
 * already wrote are removed, so that none stays on disk without the journal knowing it. The user reads
 * what failed, which files were removed and, if one could not be, that the next run will record it.
 */
export function withdrawExport(dir: string, written: WrittenFile[], cause: unknown): UserError {
  const names = written.flatMap((f) => [f.name, ...(f.zip ? [f.zip.name] : [])]);
  if (!names.length && cause instanceof UserError) return cause; // nothing written: the fault says it all
  const kept: string[] = [];
  for (const name of names) {
    try {
      fs.rmSync(path.join(dir, name), { force: true });
    } catch {
      kept.push(name);
    }
  }
  const removed = names.filter((n) => !kept.includes(n));
  const lines = [`l'écriture des fichiers à déposer a échoué : ${causeOf(cause)}`];
  if (!names.length) lines.push('Aucun fichier n\'avait encore été écrit ; le journal est inchangé.');
  if (removed.length) {
    const what = removed.length === 1 ? 'Le fichier déjà écrit par cette conversion a été retiré' : `Les ${removed.length} fichiers déjà écrits par cette conversion ont été retirés`;
    lines.push(`${what}, rien n'est exporté et le journal est inchangé : ${removed.join(', ')}.`);
  }
  if (kept.length) {
    lines.push(
      `Ces fichiers n'ont pas pu être retirés et ne sont pas encore au journal : ${kept.join(', ')}. ` +
        'Ne les déposez pas : la prochaine conversion dans ce dossier les inscrira au journal.',
    );
  }
  lines.push('Réglez le problème puis relancez la même conversion : les demandes sont toujours à exporter.');
  return new UserError(lines.join('\n'));
}

function causeOf(e: unknown): string {
  if (e instanceof UserError) return e.message;
  return ioMessage(e) ?? (e as Error)?.message ?? String(e);
}
