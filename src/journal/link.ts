import path from 'node:path';
import type { Demande, JournalLink } from '../join/model.js';
import type { Mapping } from '../mapping/load.js';
import type { WorkbookResult } from '../rules/validate.js';
import { refreshVerdict } from '../rules/validate.js';
import { canonicalLine, canonicalOf, describeChanges, fingerprintOf } from '../emit/fingerprint.js';
import { columnLetter, makeIssue, type Issue } from '../issues/issues.js';
import type { IssueCode } from '../issues/catalogue.js';
import { Amount, type FieldValue } from '../values/types.js';
import { Journal, STATE_LABELS, stateOf, type JournalEntry } from './journal.js';
import type { WrittenFile } from '../emit/files.js';
import { frenchDate } from '../util/dates.js';
import type { DepositFolder } from './folder.js';
import { conflictNote } from './answers.js';

function issueOn(r: WorkbookResult, d: Demande, field: string, code: IssueCode, params: Record<string, unknown>): Issue {
  const col = d.main.cols[field];
  const i = makeIssue(code, { file: r.file, sheet: d.main.sheet, row: d.main.row, column: col ? columnLetter(col) : undefined, field, demande: d.key }, { demande: d.key, ...params });
  r.issues.push(i);
  d.issues.push(i);
  return i;
}

function amountOf(v: FieldValue | undefined): Amount | undefined {
  return v instanceof Amount ? v : undefined;
}

function listOf(d: Demande, field: string): string[] {
  const out: string[] = [];
  for (const rows of [[d.main], ...Object.values(d.details)]) {
    for (const r of rows) {
      const v = r.values[field];
      if (Array.isArray(v)) out.push(...v);
      else if (typeof v === 'string' && field in r.values) out.push(v);
    }
  }
  return out;
}

/** Gives a demande a new numeroEditeur: every row, and PJ names built on the old one. */
function renumber(d: Demande, key: string, fresh: string, now: boolean) {
  const old = d.key;
  d.renumbered = { from: d.renumbered?.from ?? old, previous: old, now };
  d.key = fresh;
  for (const r of [d.main, ...Object.values(d.details).flat()]) {
    r.values[key] = fresh;
    r.key = fresh;
    const name = r.values.nomFichier;
    if (typeof name === 'string') r.values.nomFichier = name.replace(`-${old}.`, `-${fresh}.`);
  }
  for (const i of d.issues) i.demande = fresh;
}

/** The next free numeroEditeur of each kind and numeroAns: above the journal's and the batch's. */
function numberPool(results: WorkbookResult[], journal: Journal) {
  const nextFree = new Map<string, number>();
  return (r: WorkbookResult, ans: string): string => {
    const k = `${r.mapping.kind}|${ans}`;
    if (!nextFree.has(k)) {
      let max = journal.highestNumber(r.mapping.kind, ans);
      for (const x of results) {
        if (x.mapping.kind !== r.mapping.kind || x.numeroAns !== ans) continue;
        for (const d of x.demandes) if (/^\d{5}$/.test(d.key)) max = Math.max(max, Number(d.key));
      }
      nextFree.set(k, max + 1);
    }
    const n = nextFree.get(k)!;
    nextFree.set(k, n + 1);
    return String(n).padStart(5, '0');
  };
}

/** The SIRET the journal knows for a numeroAns: another one is most likely a typing error. */
function checkSirets(results: WorkbookResult[], journal: Journal) {
  const sirets = new Map<string, Map<string, string>>();
  for (const r of results) {
    if (!r.numeroAns || !r.siret || !r.header) continue;
    if (!sirets.has(r.numeroAns)) sirets.set(r.numeroAns, journal.siretsOf(r.numeroAns));
    const others = [...sirets.get(r.numeroAns)!].filter(([s]) => s !== r.siret);
    if (!others.length) continue;
    const h = r.header;
    const [other, file] = others[others.length - 1];
    r.issues.push(
      makeIssue('SIRET_AUTRE_DANS_JOURNAL', { file: r.file, sheet: h.sheet, row: h.row, column: h.cols.SIRET ? columnLetter(h.cols.SIRET) : undefined, field: 'SIRET' }, { numeroAns: r.numeroAns, siret: r.siret, other, file }),
    );
  }
}

/** The lines of the JSON files deposited in the folder, read when first asked for, as canonical text. */
class DepositedLines {
  private readonly files = new Map<string, Map<number, string> | null>();
  private present?: Set<string>;
  constructor(private readonly folder: DepositFolder) {}

  /** Whether a deposited file is still in the folder. */
  has(file: string): boolean {
    this.present ??= new Set(this.folder.names());
    return this.present.has(path.basename(file));
  }

  line(mapping: Mapping, file: string, numLigne: number): string | undefined {
    if (!this.files.has(file)) this.files.set(file, this.read(mapping, file));
    return this.files.get(file)?.get(numLigne);
  }

  private read(mapping: Mapping, file: string): Map<number, string> | null {
    const text = this.folder.text(path.basename(file));
    if (text === undefined) return null;
    try {
      const j = JSON.parse(text);
      const lines = new Map<number, string>();
      for (const l of Array.isArray(j?.lignesImport) ? j.lignesImport : []) if (typeof l?.numLigne === 'number') lines.set(l.numLigne, canonicalOf(mapping, l));
      return lines;
    } catch {
      return null;
    }
  }
}

/** What changed in a demande since its entry was exported; empty when nothing did. */
function changesSince(r: WorkbookResult, d: Demande, entry: JournalEntry, deposited: DepositedLines): string[] {
  const now = canonicalLine(r.mapping, d, r.header);
  if (entry.fingerprint === fingerprintOf(now)) return [];
  const before = deposited.line(r.mapping, entry.file, entry.numLigne);
  if (before !== undefined) return before === now ? [] : describeChanges(before, now);
  if (entry.fingerprint) return [`le contenu diffère de celui exporté (${entry.file} n'est plus dans le dossier : détail indisponible)`];
  // A journal of an earlier version, without its file: what it keeps, the amount and the FINESS.
  const diffs: string[] = [];
  const amount = amountOf(d.main.values[r.mapping.journal.amount])?.text;
  if (amount && amount !== entry.montant) diffs.push(`${r.mapping.journal.amount} : ${entry.montant} → ${amount}`);
  const finess = [...new Set(listOf(d, r.mapping.journal.finess))].sort().join(', ');
  if (finess !== [...entry.finess].sort().join(', ')) diffs.push(`${r.mapping.journal.finess} : ${[...entry.finess].sort().join(', ')} → ${finess}`);
  return diffs;
}

/** What a demande's status needs of its journal entry. */
export function linkOf(e: JournalEntry): JournalLink {
  return { state: stateOf(e), file: e.file, numLigne: e.numLigne, date: e.date, numeroASP: e.numeroASP, libelle: e.asp?.libelle ?? null, conflict: conflictNote(e) };
}

export interface LinkOptions {
  /** The deposit folder, where the deposited JSON files are. */
  folder: DepositFolder;
  force?: boolean;
  renumber?: boolean;
  dryRun?: boolean;
}

/**
 * Links each demande to what the deposit folder's journal knows of it (d.journal, which its status is
 * decided from), and checks it against that record:
 * - exported before (waiting, accepted, paid, refused): not exported again; a change since is an error,
 *   since the ASP holds the version exported;
 * - an avance the ASP rejected: resubmitted under the next free number with --renumber, else shown with
 *   the ASP's label; an avance already resubmitted is followed to its new number;
 * - a solde the ASP rejected: exported again once corrected (changed), shown as rejected while unchanged;
 * - never exported: a solde is compared with its avance.
 * --force exports every valid demande again, with a warning.
 */
export function linkJournal(results: WorkbookResult[], journal: Journal, opts: LinkOptions): void {
  checkSirets(results, journal);
  const take = numberPool(results, journal);
  const deposited = new DepositedLines(opts.folder);
  for (const r of results) {
    const ans = r.numeroAns;
    if (!ans) continue;
    const kind = r.mapping.kind;
    const key = r.mapping.joinKey;
    for (const d of r.demandes) {
      const entry = journal.current(kind, ans, d.key);
      if (entry && entry.numeroEditeur !== d.key) renumber(d, key, entry.numeroEditeur, false);
      if (!entry) {
        if (kind === 'solde') checkSolde(r, d, journal);
        continue;
      }
      const state = stateOf(entry);
      if (opts.force) {
        issueOn(r, d, key, 'EXPORT_FORCE', { kind, file: entry.file, numLigne: entry.numLigne, date: frenchDate(entry.date) });
        if (kind === 'solde') checkSolde(r, d, journal);
      } else if (state === 'rejetee' && kind === 'avance') {
        if (opts.renumber && d.verdict === 'valide' && !opts.dryRun) {
          const old = d.key;
          renumber(d, key, take(r, ans), true);
          issueOn(r, d, key, 'RENUMEROTEE', { old, new: d.key });
        } else d.journal = linkOf(entry);
      } else if (state === 'rejetee') {
        // A corrected solde goes again under its number; an unchanged one would be rejected again.
        if (changesSince(r, d, entry, deposited).length) checkSolde(r, d, journal);
        else d.journal = linkOf(entry);
      } else {
        const changes = changesSince(r, d, entry, deposited);
        if (changes.length) {
          issueOn(r, d, key, 'DEJA_EXPORTEE_MODIFIEE', { kind, file: entry.file, numLigne: entry.numLigne, date: frenchDate(entry.date), state: STATE_LABELS[state], changes: changes.join(' ; ') });
        }
        d.journal = linkOf(entry);
      }
      if (d.journal) reportMissingFile(r, d, key, deposited, opts.folder.where);
    }
  }
  for (const r of results) for (const d of r.demandes) refreshVerdict(d);
}

/**
 * A demande the journal keeps from being exported again, whose file is no longer in the folder, while the
 * ASP has not answered for it: said, never exported again for it. Once the ASP answered, the file was
 * received: where it is kept no longer matters.
 */
function reportMissingFile(r: WorkbookResult, d: Demande, key: string, deposited: DepositedLines, dir: string) {
  const j = d.journal!;
  if (j.state !== 'exportee' || deposited.has(j.file)) return;
  issueOn(r, d, key, 'FICHIER_EXPORTE_ABSENT', { kind: r.mapping.kind, file: j.file, numLigne: j.numLigne, date: frenchDate(j.date), state: STATE_LABELS[j.state], dir });
}

function checkSolde(r: WorkbookResult, d: Demande, journal: Journal) {
  const asp = d.main.values.numeroASP;
  if (typeof asp !== 'string') return;
  const avance = journal.avanceByAsp(asp);
  if (!avance) {
    if (journal.entries.length) issueOn(r, d, 'numeroASP', 'SOLDE_AVANCE_INCONNUE', { value: asp });
    return;
  }
  if (avance.numeroEditeur !== d.key) issueOn(r, d, 'numeroASP', 'SOLDE_AVANCE_AUTRE_NUMERO', { value: asp, expected: avance.numeroEditeur });
  if (r.numeroAns && avance.numeroAns !== r.numeroAns) issueOn(r, d, 'numeroASP', 'SOLDE_AVANCE_AUTRE_ANS', { value: asp, expected: avance.numeroAns, numeroAns: r.numeroAns });
  const amountField = r.mapping.journal.amount;
  const invoiced = amountOf(d.main.values[amountField]);
  if (invoiced) {
    const ordered = Amount.fromText(avance.montant);
    if (invoiced.cents > ordered.cents) issueOn(r, d, amountField, 'SOLDE_MONTANT_SUPERIEUR', { value: invoiced.display, expected: ordered.display });
  }
  const finessField = r.mapping.journal.finess;
  const known = new Set(avance.finess);
  for (const rows of Object.values(d.details)) {
    for (const row of rows) {
      const v = row.values[finessField];
      for (const f of Array.isArray(v) ? v : typeof v === 'string' ? [v] : []) {
        if (known.has(f)) continue;
        const i = makeIssue('SOLDE_FINESS_HORS_AVANCE', { file: r.file, sheet: row.sheet, row: row.row, column: columnLetter(row.cols[finessField]), field: finessField, demande: d.key }, { value: f, numeroASP: asp });
        r.issues.push(i);
        d.issues.push(i);
      }
    }
  }
  const state = stateOf(avance);
  if (state === 'refusee') issueOn(r, d, 'numeroASP', 'SOLDE_AVANCE_REFUSEE', { value: asp });
  else if (state !== 'payee') issueOn(r, d, 'numeroASP', 'SOLDE_AVANCE_NON_PAYEE', { value: asp, state: STATE_LABELS[state] });
}

/** Records every demande just written. */
export function recordWritten(journal: Journal, results: WorkbookResult[], written: WrittenFile[], date: string): void {
  const byFile = new Set(written.map((f) => f.name));
  for (const r of results) {
    for (const d of r.demandes) {
      if (!d.output || !byFile.has(d.output.file)) continue;
      const amount = amountOf(d.main.values[r.mapping.journal.amount]);
      const entry: JournalEntry = {
        kind: r.mapping.kind,
        numeroAns: r.numeroAns!,
        siret: r.siret ?? null,
        numeroEditeur: d.key,
        numeroASP: typeof d.main.values.numeroASP === 'string' ? d.main.values.numeroASP : null,
        file: d.output.file,
        numLigne: d.output.numLigne,
        date,
        montant: amount?.text ?? '0.00',
        finess: [...new Set(listOf(d, r.mapping.journal.finess))],
        source: r.source ?? path.basename(r.file),
        renumberedFrom: d.renumbered?.now ? d.renumbered.previous : null,
        asp: null,
        paiement: null,
        fingerprint: d.output.fingerprint ?? fingerprintOf(canonicalLine(r.mapping, d, r.header)),
      };
      journal.entries.push(entry);
    }
  }
}
