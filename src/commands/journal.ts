import fs from 'node:fs';
import { ASP_NUMBER, stateOf, type Journal, type JournalEntry } from '../journal/journal.js';
import { linkOf } from '../journal/link.js';
import { conflictNote } from '../journal/answers.js';
import { journalStatus, plural, STATUS_NAMES } from '../status/status.js';
import { refreshLiving, sourcesOf } from './refresh.js';
import { withDepositLock } from '../util/lock.js';
import { UserError } from '../util/errors.js';
import { XlsxPackage } from '../read/package.js';
import { loadJournal, saveJournal } from './journal-file.js';

/**
 * A list of numeroASP: values given, or files holding them in one column (text, CSV or .xlsx). A value
 * given that is neither a number nor a file, and a line of a file that begins with FINBIO without being a
 * number, are returned as invalid (a header line is not).
 */
export async function expandNumbers(values: string[]): Promise<{ numbers: string[]; invalid: { value: string; file?: string }[] }> {
  const numbers: string[] = [];
  const invalid: { value: string; file?: string }[] = [];
  const take = (raw: string, file?: string) => {
    const v = raw.trim().toUpperCase();
    if (ASP_NUMBER.test(v)) numbers.push(v);
    else if (v && (!file || v.startsWith('FINBIO'))) invalid.push({ value: raw.trim(), file });
  };
  for (const v of values) {
    if (fs.existsSync(v) && fs.statSync(v).isFile()) {
      if (/\.(xlsx|xlsm)$/i.test(v)) {
        // Read straight from the package (as convert reads), first column of every sheet, in order.
        const pkg = await XlsxPackage.open(v);
        for (const entry of pkg.sheets) {
          const grid = await pkg.grid(entry);
          grid.focus?.([1]);
          for (const row of grid.rows()) {
            const c = row.values[1];
            if (typeof c === 'string') take(c, v);
          }
        }
      } else {
        for (const line of fs.readFileSync(v, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/)) {
          take(line.split(/[;,\t]/)[0].trim().replace(/^"|"$/g, ''), v);
        }
      }
    } else for (const t of v.split(/[\s,;]+/).filter(Boolean)) take(t);
  }
  return { numbers, invalid };
}

export interface JournalOptions {
  dir: string;
  payee?: string[];
  refusee?: string[];
  json?: boolean;
  stdout?: (t: string) => void;
}

/** One number given to --payee or --refusee, and what became of it; `message` is the line printed. */
export interface PaymentLine {
  value: string;
  state: 'payee' | 'refusee';
  recorded: boolean;
  numeroEditeur: string | null;
  message: string;
}

/** What journal did: its exit code, and with --payee/--refusee each number and each workbook refreshed. */
export interface JournalOutcome {
  exitCode: number;
  payments: PaymentLine[];
  workbooks: { ok: boolean; file: string; message: string }[];
}

/** Lists the journal; with --payee/--refusee, records them with the deposit folder locked. */
export async function runJournal(opts: JournalOptions): Promise<number> {
  return (await journalOutcome(opts)).exitCode;
}

/** runJournal, returning what it did besides printing it. */
export function journalOutcome(opts: JournalOptions): Promise<JournalOutcome> {
  if (!opts.payee?.length && !opts.refusee?.length) return journalCommand(opts);
  return withDepositLock(opts.dir, 'journal', () => journalCommand(opts));
}

/** The deposit folder's journal, which must exist. */
function existingJournal(dir: string): Journal {
  const journal = loadJournal(dir);
  if (!journal.entries.length && !fs.existsSync(journal.file)) {
    throw new UserError(`Aucun journal dans ${dir} (${journal.file}) : il est créé par convert dans son dossier de sortie.`);
  }
  return journal;
}

/** Records --payee and --refusee in the journal and saves it; returns the exit code and the sources touched. */
async function recordPayments(opts: JournalOptions, print: (t: string) => void, payments: PaymentLine[]): Promise<{ code: number; sources: Set<string> }> {
  let current: 'payee' | 'refusee' = 'payee';
  /** A line about one number: printed, and kept in the outcome. */
  const line = (value: string, recorded: boolean, numeroEditeur: string | null, text: string) => {
    payments.push({ value, state: current, recorded, numeroEditeur, message: text.replace(/\n$/, '') });
    print(text);
  };
  const journal = existingJournal(opts.dir);
  let code = 0;
  const touched: JournalEntry[] = [];
  const record = async (values: string[] | undefined, state: 'payee' | 'refusee') => {
    if (!values?.length) return;
    current = state;
    const { numbers, invalid } = await expandNumbers(values);
    for (const x of invalid) {
      line(x.value, false, null, x.file ? `✗ ${x.file} : « ${x.value} » n'est pas un numéro de dossier ASP (FINBIO suivi de 6 chiffres) ; ignoré.\n` : `✗ « ${x.value} » : ni un numéro de dossier ASP (FINBIO suivi de 6 chiffres), ni un fichier existant ; ignoré.\n`);
      code = 1;
    }
    if (!numbers.length && !invalid.length) {
      line(values.join(', '), false, null, `Aucun numéro de dossier FINBIO dans : ${values.join(', ')}\n`);
      code = 1;
    }
    for (const n of numbers) {
      const entry = journal.avanceByAsp(n);
      if (!entry) {
        line(n, false, null, `✗ ${n} : aucune avance acceptée de ce numéro dans le journal.\n`);
        code = 1;
        continue;
      }
      entry.paiement = state;
      touched.push(entry);
      line(n, true, entry.numeroEditeur, `✓ ${n} (demande ${entry.numeroEditeur}) : ${state === 'payee' ? 'avance payée' : 'avance refusée'}.\n`);
    }
    saveJournal(journal);
  };
  await record(opts.payee, 'payee');
  await record(opts.refusee, 'refusee');
  return { code, sources: sourcesOf(touched) };
}

async function journalCommand(opts: JournalOptions): Promise<JournalOutcome> {
  const out = opts.stdout ?? ((t: string) => process.stdout.write(t));
  const payments: PaymentLine[] = [];
  const workbooks: JournalOutcome['workbooks'] = [];
  if (opts.payee?.length || opts.refusee?.length) {
    // The journal is saved and no longer held while the workbooks are refreshed (each loads its own).
    const recorded = await recordPayments(opts, out, payments);
    let code = recorded.code;
    for (const r of await refreshLiving(opts.dir, recorded.sources)) {
      out(r.ok ? `Classeur de résultats mis à jour : ${r.message}\n` : `✗ ${r.message}\n`);
      workbooks.push({ ok: r.ok, file: r.file, message: r.message });
      if (!r.ok) code = 2;
    }
    return { exitCode: code, payments, workbooks };
  }
  const journal = existingJournal(opts.dir);
  const statusOf = (e: JournalEntry) => journalStatus(linkOf(e), e.kind);
  if (opts.json) {
    out(JSON.stringify({ journal: journal.file, entries: journal.entries.map((e) => ({ ...e, etat: stateOf(e), status: statusOf(e).code, statusLabel: statusOf(e).label })) }, null, 2) + '\n');
    return { exitCode: 0, payments, workbooks };
  }
  out(`Journal ${journal.file} : ${plural(journal.entries.length, ['demande exportée', 'demandes exportées'])}\n`);
  out('type    numéro ANS  n° éditeur  dossier ASP   fichier                              ligne  état\n');
  for (const e of journal.entries) {
    const s = statusOf(e);
    // A rejected avance resubmitted under another number says so.
    const now = journal.current(e.kind, e.numeroAns, e.numeroEditeur);
    const resubmitted = s.code === 'rejetee_asp' && now && now !== e ? ` — resoumise sous le numéro ${now.numeroEditeur}` : '';
    const state = s.code === 'deja_exportee' ? "exportée, en attente de l'ASP" : STATUS_NAMES[s.code][0];
    out(
      `${e.kind.padEnd(7)} ${e.numeroAns.padEnd(11)} ${e.numeroEditeur.padEnd(11)} ${(e.numeroASP ?? '-').padEnd(13)} ${e.file.padEnd(36)} ${String(e.numLigne).padStart(5)}  ${state}${s.libelle && s.code === 'rejetee_asp' ? ` : ${s.libelle}` : ''}${resubmitted}${e.renumberedFrom ? ` (ancien numéro ${e.renumberedFrom})` : ''}${e.conflits?.length ? ` ; ${conflictNote(e)}` : ''}\n`,
    );
  }
  return { exitCode: 0, payments, workbooks };
}
