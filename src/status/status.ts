import type { Demande, JournalLink } from '../join/model.js';
import { frenchDate } from '../util/dates.js';

/**
 * A demande's status: one function of this run's checks (its verdict and problems), of what this run
 * wrote, and of what the deposit folder's journal knows of it. Everything that shows a status (the Statut
 * column and its colour, the Synthèse, the console summary, --json, the exit code) is derived from here.
 */
export type StatusCode =
  /** Valid, to export (validate; or convert when nothing was written). */
  | 'valide'
  /** Written by this run, to deposit. */
  | 'exportee'
  /** Written by an earlier run, waiting for the ASP's answer: information, not an error. */
  | 'deja_exportee'
  | 'acceptee_asp'
  | 'payee'
  | 'refusee'
  /** Rejected by the ASP: an avance is resubmitted under a new number, a solde corrected and exported again. */
  | 'rejetee_asp'
  /** Rejected by this run's checks. */
  | 'rejetee';

/** How a status looks: green, blue (information), red. Warnings turn a green row orange (annotate). */
export type Tone = 'ok' | 'info' | 'bad';

export interface Status {
  code: StatusCode;
  /** French, as the Statut column shows it. */
  label: string;
  tone: Tone;
  /** Whether the user has something to do for this demande (the exit code is 1 when one has). */
  needsAction: boolean;
  /** Where it was written, by this run or an earlier one. */
  file: string | null;
  numLigne: number | null;
  /** Day of that deposit, AAAAMMJJ. */
  date: string | null;
  numeroASP: string | null;
  /** The ASP's label of a rejection. */
  libelle: string | null;
}

/** Singular and plural French names, in the order summaries list them. */
export const STATUS_NAMES: Record<StatusCode, [string, string]> = {
  exportee: ['exportée', 'exportées'],
  valide: ['valide, à exporter', 'valides, à exporter'],
  rejetee: ['rejetée', 'rejetées'],
  deja_exportee: ["déjà exportée (en attente de l'ASP)", "déjà exportées (en attente de l'ASP)"],
  acceptee_asp: ["acceptée par l'ASP", "acceptées par l'ASP"],
  payee: ['payée', 'payées'],
  refusee: ["refusée par l'ASP", "refusées par l'ASP"],
  rejetee_asp: ["rejetée par l'ASP", "rejetées par l'ASP"],
};
export const STATUS_CODES = Object.keys(STATUS_NAMES) as StatusCode[];

export const TONES: Record<StatusCode, Tone> = {
  valide: 'ok',
  exportee: 'ok',
  deja_exportee: 'info',
  acceptee_asp: 'ok',
  payee: 'ok',
  refusee: 'bad',
  rejetee_asp: 'bad',
  rejetee: 'bad',
};

/** What to do with a demande the ASP rejected. */
export function aspRejectionAction(kind: string): string {
  return kind === 'avance'
    ? 'une avance rejetée se resoumet sous un nouveau numéro éditeur : corrigez-la puis relancez convert avec --renumber'
    : 'corrigez le solde puis convertissez-le à nouveau';
}

const plural = (n: number, [one, many]: [string, string]) => `${n} ${n > 1 ? many : one}`;

function problemsLabel(d: Demande): string {
  const n = d.issues.filter((i) => i.severity === 'erreur').length;
  return `Rejetée : ${plural(n, ['erreur à corriger', 'erreurs à corriger'])} (voir Problèmes)`;
}

function journalLabel(j: JournalLink, kind: string): string {
  const where = `${j.file}, ligne ${j.numLigne}, le ${frenchDate(j.date)}`;
  switch (j.state) {
    case 'exportee':
      return `Déjà exportée : ${where} ; en attente de la réponse de l'ASP`;
    case 'acceptee':
      return `Acceptée par l'ASP${j.numeroASP ? ` : dossier ${j.numeroASP}` : ''} (${where})`;
    case 'payee':
      return `Payée${j.numeroASP ? ` : dossier ${j.numeroASP}` : ''}`;
    case 'refusee':
      return `Refusée par l'ASP${j.numeroASP ? ` : dossier ${j.numeroASP}` : ''}`;
    case 'rejetee':
      return `Rejetée par l'ASP : « ${j.libelle ?? 'sans libellé'} » (${where}) ; ${aspRejectionAction(kind)}`;
  }
}

const JOURNAL_CODES: Record<JournalLink['state'], StatusCode> = {
  exportee: 'deja_exportee',
  acceptee: 'acceptee_asp',
  payee: 'payee',
  refusee: 'refusee',
  rejetee: 'rejetee_asp',
};

/** The status of a demande of the given kind (avance, solde), once checked, linked and written. */
export function statusOf(d: Demande, kind: string): Status {
  const renumbered = d.renumbered ? ` (ancien numéro ${d.renumbered.from})` : '';
  if (d.output) return ownStatus('exportee', `Exportée : ${d.output.file}, ligne ${d.output.numLigne}${renumbered}`, d.output.file, d.output.numLigne);
  if (d.verdict === 'rejetee') return ownStatus('rejetee', problemsLabel(d), null, null);
  if (d.journal) {
    const j = journalStatus(d.journal, kind);
    return { code: j.code, label: j.label + renumbered, file: j.file, numLigne: j.numLigne, date: j.date, numeroASP: j.numeroASP, libelle: j.libelle, tone: j.tone, needsAction: j.needsAction };
  }
  return ownStatus('valide', 'Valide, à exporter', null, null);
}

/**
 * A status this run decides, built as one literal (its keys in the order they always had: file, numLigne,
 * date, numeroASP, libelle, code, label, tone, needsAction). Spreading a base object and overriding its
 * keys cost V8 several microseconds a call, and statuses are asked for many times per demande.
 */
function ownStatus(code: StatusCode, label: string, file: string | null, numLigne: number | null): Status {
  return { file, numLigne, date: null, numeroASP: null, libelle: null, code, label, tone: TONES[code], needsAction: code === 'rejetee' || code === 'rejetee_asp' };
}

/** The status of a demande as its journal entry gives it (the journal command lists these). */
export function journalStatus(j: JournalLink, kind: string): Status {
  const code = JOURNAL_CODES[j.state];
  // Two answers of the ASP that contradict each other: shown in red beside the one the journal keeps.
  const label = j.conflict ? `${journalLabel(j, kind)} ; ${j.conflict}` : journalLabel(j, kind);
  return { code, label, file: j.file, numLigne: j.numLigne, date: j.date, numeroASP: j.numeroASP, libelle: j.libelle, tone: j.conflict ? 'bad' : TONES[code], needsAction: code === 'rejetee_asp' };
}

/** Whether convert writes this demande now. */
export function toExport(s: Status): boolean {
  return s.code === 'valide';
}

export type StatusCounts = Record<StatusCode, number>;

export function countStatuses(statuses: Iterable<{ code: StatusCode }>): StatusCounts {
  const counts = Object.fromEntries(STATUS_CODES.map((c) => [c, 0])) as StatusCounts;
  for (const s of statuses) counts[s.code]++;
  return counts;
}

/**
 * "3 demandes lues : 1 exportée, 0 rejetée, 2 déjà exportées (en attente de l'ASP)": what the run did
 * (exported, or valid for validate) and what needs work (rejected) always, the other statuses when some
 * demande has them.
 */
export function describeCounts(counts: StatusCounts, command: 'convert' | 'validate'): string {
  const total = STATUS_CODES.reduce((n, c) => n + counts[c], 0);
  const always: StatusCode[] = [command === 'convert' ? 'exportee' : 'valide', 'rejetee'];
  const parts = STATUS_CODES.filter((c) => always.includes(c) || counts[c] > 0).map((c) => plural(counts[c], STATUS_NAMES[c]));
  return `${plural(total, ['demande lue', 'demandes lues'])} : ${parts.join(', ')}`;
}

export { plural };
