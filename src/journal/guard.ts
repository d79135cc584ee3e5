import path from 'node:path';
import type { Demande } from '../join/model.js';
import type { WorkbookResult } from '../rules/validate.js';
import { refreshStatus } from '../rules/validate.js';
import { columnLetter, makeIssue, type Issue } from '../rules/issues.js';
import type { IssueCode } from '../rules/catalogue.js';
import { Amount, type FieldValue } from '../values/types.js';
import { Journal, STATE_LABELS, stateOf, type JournalEntry } from './journal.js';
import type { WrittenFile } from '../emit/files.js';
import { frenchDate } from '../util/dates.js';

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
function renumber(d: Demande, key: string, fresh: string) {
  const old = d.key;
  d.renumberedFrom = old;
  d.key = fresh;
  for (const r of [d.main, ...Object.values(d.details).flat()]) {
    r.values[key] = fresh;
    r.key = fresh;
    const name = r.values.nomFichier;
    if (typeof name === 'string') r.values.nomFichier = name.replace(`-${old}.`, `-${fresh}.`);
  }
  for (const i of d.issues) i.demande = fresh;
}

/**
 * Checks the demandes against the journal of the output folder: a demande already exported (and not
 * rejected by the ASP) is refused unless force; a rejected avance needs a new number (renumber gives the
 * next free one); a solde is compared with its avance.
 */
export function checkAgainstJournal(
  results: WorkbookResult[],
  journal: Journal,
  opts: { force?: boolean; renumber?: boolean; dryRun?: boolean },
): void {
  const nextFree = new Map<string, number>();
  const takeNumber = (r: WorkbookResult, ans: string): string => {
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
  // The SIRET the journal knows for this numeroAns: another one is most likely a typing error.
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
  for (const r of results) {
    const ans = r.numeroAns;
    if (!ans) continue;
    const kind = r.mapping.kind;
    const key = r.mapping.joinKey;
    for (const d of r.demandes) {
      const last = journal.latest(kind, ans, d.key);
      if (last) {
        const state = stateOf(last);
        if (state !== 'rejetee' && !opts.force) {
          issueOn(r, d, key, 'DEJA_EXPORTEE', { kind, file: last.file, numLigne: last.numLigne, date: frenchDate(last.date), state: STATE_LABELS[state] });
        } else if (state === 'rejetee' && kind === 'avance') {
          if (opts.renumber && d.status === 'acceptee' && !opts.dryRun) {
            const old = d.key;
            const fresh = takeNumber(r, ans);
            renumber(d, key, fresh);
            issueOn(r, d, key, 'RENUMEROTEE', { old, new: fresh });
          } else {
            issueOn(r, d, key, 'NUMERO_A_CHANGER', { libelle: last.asp?.libelle ?? 'rejet' });
          }
        }
      }
      if (kind === 'solde') checkSolde(r, d, journal);
    }
  }
  for (const r of results) for (const d of r.demandes) refreshStatus(d);
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
        source: path.basename(r.file),
        renumberedFrom: d.renumberedFrom ?? null,
        asp: null,
        paiement: null,
      };
      journal.entries.push(entry);
    }
  }
}
