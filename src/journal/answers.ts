import { fold } from '../read/sheet.js';
import type { AspConflict, JournalEntry } from './journal.js';

/** What one line of a return says of a demande. */
export type Answer = AspConflict;

/** The answer the journal holds for an entry, or null when the ASP has not answered yet. */
export function recordedAnswer(e: JournalEntry): Answer | null {
  return e.asp ? { ...e.asp, numeroASP: e.kind === 'avance' ? e.numeroASP : null } : null;
}

/**
 * How a later answer relates to the one recorded first:
 * - same: the same verdict (the same dossier number; for a rejection, the same code and label, in any
 *   case or accent): a return read again changes nothing;
 * - completes: an acceptance without a dossier number, then the same with one: the number is recorded;
 * - conflict: anything else (accepted then rejected, another dossier number, another rejection label).
 */
export function compareAnswers(first: Answer, next: Answer): 'same' | 'completes' | 'conflict' {
  if (first.statut !== next.statut) return 'conflict';
  if (first.statut === 'acceptee') {
    if (first.numeroASP && next.numeroASP && first.numeroASP !== next.numeroASP) return 'conflict';
    return !first.numeroASP && next.numeroASP ? 'completes' : 'same';
  }
  const label = (a: Answer) => fold(a.libelle ?? '').replace(/\s+/g, ' ').trim();
  return first.codeTraitement === next.codeTraitement && label(first) === label(next) ? 'same' : 'conflict';
}

/** « acceptée, dossier FINBIO000101 (retour-1.json) », « rejetée : « Pièce illisible » (retour-2.json) ». */
export function describeAnswer(a: Answer): string {
  const what =
    a.statut === 'acceptee'
      ? `acceptée${a.numeroASP ? `, dossier ${a.numeroASP}` : ''}`
      : `rejetée : « ${a.libelle ?? 'sans libellé'} »${a.codeTraitement ? ` (code ${a.codeTraitement})` : ''}`;
  return `${what} (${a.fichierRetour}${a.impId ? `, impId ${a.impId}` : ''})`;
}

/** Notes a contradicting answer beside the recorded one, once: true when it was not noted yet. */
export function noteConflict(e: JournalEntry, next: Answer): boolean {
  const known = e.conflits ?? [];
  if (known.some((c) => compareAnswers(c, next) === 'same' && c.fichierRetour === next.fichierRetour)) return false;
  e.conflits = [...known, next];
  return true;
}

/** What the results workbook and the journal listing add to the status of an entry holding conflicts. */
export function conflictNote(e: Pick<JournalEntry, 'conflits'>): string | null {
  if (!e.conflits?.length) return null;
  return `CONFLIT : ${e.conflits.length > 1 ? 'd\'autres retours de l\'ASP disent' : 'un autre retour de l\'ASP dit'} ${e.conflits.map(describeAnswer).join(' ; ')} ; le journal garde la première réponse, vérifiez sur le portail`;
}
