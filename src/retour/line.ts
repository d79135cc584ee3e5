import { z } from 'zod';
import { ASP_NUMBER, readLine } from '../journal/journal.js';
import { fold } from '../read/sheet.js';
import type { Answer } from '../journal/answers.js';
import type { ReturnedLine } from './match.js';

/** One line of a file the portal gives back: the deposited line with the ASP's answer filled in; other keys kept. */
const returnLineSchema = z.looseObject({
  numLigne: z.union([z.number(), z.string()]).nullable().optional(),
  numeroEditeur: z.union([z.string(), z.number()]),
  numeroASP: z.string().nullable().optional(),
  codeTraitement: z.union([z.string(), z.number()]).nullable().optional(),
  libelleTraitement: z.string().nullable().optional(),
});

/** The header of a return: impId filled by the ASP (text or number), numeroAns. */
export const returnHeaderSchema = z.looseObject({
  impId: z.union([z.string(), z.number()]).nullable().optional(),
  numeroAns: z.string(),
});

/**
 * The portal answers « Demande acceptée » or the label of the error: the label must begin with it (in any
 * case, with or without accents), so an error label that merely mentions an accepted demande is not taken
 * for an acceptance.
 */
export function isAcceptedLabel(label: string | null | undefined): boolean {
  return Boolean(label && fold(label).startsWith('demande acceptee'));
}

const blank = (v: unknown) => v === null || v === undefined || String(v).trim() === '';

/** numLigne as a whole number, null when absent; undefined when it is not a number. */
function lineNumber(v: unknown): number | null | undefined {
  if (blank(v)) return null;
  const n = typeof v === 'number' ? v : /^\s*\d+\s*$/.test(String(v)) ? Number(v) : NaN;
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

export type ReadLine =
  /** Not a line of a return: the file is in failure for it (exit 2). */
  | { failure: string }
  /** A line the ASP did not answer: not taken (exit 1). */
  | { line: ReturnedLine; silent: string }
  | { line: ReturnedLine; answer: Answer };

/** Reads one line of lignesImport (rank from 1, starting on the file's text line textLine) of a return whose header is known. */
export function readReturnLine(raw: unknown, rank: number, textLine: number, header: { numeroAns: string; impId: string | null; file: string }): ReadLine {
  const l = returnLineSchema.safeParse(raw);
  const where = `ligne ${textLine} du fichier, demande n° ${rank} de lignesImport :`;
  if (!l.success) {
    const field = l.error.issues[0]?.path[0];
    return { failure: field === undefined || field === 'numeroEditeur' ? `${where} illisible (numeroEditeur attendu).` : `${where} illisible (${String(field)} : valeur d'un type inattendu).` };
  }
  const numLigne = lineNumber(l.data.numLigne);
  if (numLigne === undefined) return { failure: `${where} numLigne « ${String(l.data.numLigne)} » n'est pas un numéro de ligne.` };
  const numeroASP = blank(l.data.numeroASP) ? null : l.data.numeroASP!.trim();
  if (numeroASP !== null && !ASP_NUMBER.test(numeroASP)) {
    return { failure: `${where} numeroASP « ${numeroASP} » n'est pas un numéro de dossier ASP (FINBIO suivi de 6 chiffres) ; ligne non prise en compte.` };
  }
  const lineObj = raw as Record<string, unknown>;
  const { kind } = readLine(lineObj);
  const line: ReturnedLine = { kind, numeroAns: header.numeroAns, numeroEditeur: String(l.data.numeroEditeur).trim().padStart(5, '0'), numLigne, raw: lineObj };
  const libelle = blank(l.data.libelleTraitement) ? null : l.data.libelleTraitement!;
  const codeTraitement = blank(l.data.codeTraitement) ? null : String(l.data.codeTraitement).trim();
  // A line the ASP has not answered (the deposited file itself, say) says nothing: recording it as
  // rejected would have the demande resubmitted.
  if (libelle === null && codeTraitement === null && !(kind === 'avance' && numeroASP)) {
    return { line, silent: `demande ${line.numeroEditeur} : aucune réponse de l'ASP sur cette ligne (codeTraitement et libelleTraitement vides${kind === 'avance' ? ', pas de numeroASP' : ''}) : ligne non prise en compte. Est-ce bien le fichier rendu par le portail ?` };
  }
  const accepted = isAcceptedLabel(libelle) || (kind === 'avance' && numeroASP !== null);
  return {
    line,
    answer: { statut: accepted ? 'acceptee' : 'rejetee', libelle, codeTraitement, impId: header.impId, fichierRetour: header.file, numeroASP: kind === 'avance' ? numeroASP : null },
  };
}
