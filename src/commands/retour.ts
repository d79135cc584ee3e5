import { Journal, type JournalEntry } from '../journal/journal.js';
import { UserError } from '../util/errors.js';
import { plural } from '../status/status.js';
import { refreshLiving, retourCopy, sourcesOf } from './refresh.js';
import { withDepositLock } from '../util/lock.js';
import { importReturn, MAX_DETAILED, type RetourLineOutcome, type Statut } from '../retour/file.js';
import { Matcher } from '../retour/match.js';
import { loadJournal, saveJournal } from './journal-file.js';

export type { RetourLineOutcome } from '../retour/file.js';
export { isAcceptedLabel } from '../retour/line.js';

interface RetourOptions {
  files: string[];
  outDir: string;
  workbook?: string;
  json?: boolean;
  stdout?: (t: string) => void;
}

/** Reads the ASP's return files, records each line's outcome in the journal: with the deposit folder locked. */
export function runRetour(opts: RetourOptions): Promise<number> {
  return withDepositLock(opts.outDir, 'retour', () => recordReturns(opts));
}

type Failure = { file: string; message: string };

/** Reads each file, one after the other: a file in failure leaves the others to be recorded. */
async function readAll(files: string[], journal: Journal, dir: string) {
  const matcher = new Matcher(journal, dir);
  const outcomes: RetourLineOutcome[] = [];
  const failures: Failure[] = [];
  const touched: JournalEntry[] = [];
  const counts: Record<Statut, number> = { acceptee: 0, rejetee: 0, 'non-rapprochee': 0, conflit: 0 };
  const omitted: { file: string; lines: number }[] = [];
  for (const file of files) {
    const r = await importReturn(file, journal, matcher);
    if ('failure' in r) {
      failures.push({ file, message: r.failure });
      continue;
    }
    for (const o of r.outcomes) outcomes.push(o);
    for (const message of r.lineFailures()) failures.push({ file, message });
    for (const s of Object.keys(counts) as Statut[]) counts[s] += r.counts[s];
    if (r.omitted) omitted.push({ file, lines: r.omitted });
    for (const e of r.apply()) touched.push(e);
  }
  return { outcomes, failures, touched, counts, omitted };
}

/** Reads the returns and records them in the journal, saved; the journal itself is not kept. */
async function recordInJournal(opts: RetourOptions) {
  const journal = loadJournal(opts.outDir);
  if (!journal.entries.length) {
    throw new UserError(`Aucun journal dans ${opts.outDir} : les réponses de l'ASP se rapprochent de ce que convert a exporté dans ce dossier (indiquez-le avec -o).`);
  }
  const { touched, ...read } = await readAll(opts.files, journal, opts.outDir);
  saveJournal(journal);
  return { file: journal.file, read, sources: sourcesOf(touched) };
}

async function recordReturns(opts: RetourOptions): Promise<number> {
  // The journal is saved and no longer held while the workbooks are refreshed (each loads its own).
  const { file: journalFile, read, sources } = await recordInJournal(opts);
  const { outcomes, failures, counts } = read;
  const refreshed = await refreshLiving(opts.outDir, sources);
  const copy = opts.workbook ? await retourCopy(opts.workbook, opts.outDir) : undefined;
  for (const r of [...refreshed, ...(copy ? [copy] : [])]) if (!r.ok) failures.push({ file: r.file, message: r.message });
  const out = opts.stdout ?? ((t: string) => process.stdout.write(t));
  if (opts.json) {
    const workbooks = refreshed.filter((r) => r.ok).map((r) => r.file);
    out(JSON.stringify({ journal: journalFile, workbook: copy?.ok ? copy.file : null, workbooks, totals: counts, lines: outcomes, omitted: read.omitted, failures }, null, 2) + '\n');
  } else {
    out(`xlsx2segur retour — journal ${journalFile}\n`);
    printOutcomes(out, read);
    for (const r of refreshed.filter((x) => x.ok)) out(`Classeur de résultats mis à jour : ${r.message}\n`);
    if (copy?.ok) out(`Copie du classeur avec les réponses de l'ASP : ${copy.message}\n`);
  }
  const notTaken = counts['non-rapprochee'] + counts.conflit > 0;
  return failures.length ? 2 : notTaken ? 1 : 0;
}

const MARKS: Record<RetourLineOutcome['statut'], string> = { acceptee: '✓', rejetee: '✗', 'non-rapprochee': '?', conflit: '!' };

function printOutcomes(out: (t: string) => void, r: Omit<Awaited<ReturnType<typeof readAll>>, 'touched'>): void {
  for (const o of r.outcomes) out(`  ${MARKS[o.statut]} ${o.file}, ligne ${o.numLigne ?? '?'} (${o.kind}) : ${o.message}\n`);
  for (const o of r.omitted) {
    const what = o.lines > 1 ? `${o.lines} autres lignes, comptées dans le total sans être détaillées` : '1 autre ligne, comptée dans le total sans être détaillée';
    out(`  … ${o.file} : ${what} (${MAX_DETAILED} au plus par fichier).\n`);
  }
  for (const f of r.failures) out(`✗ ${f.message}\n`);
  const c = r.counts;
  const failed = new Set(r.failures.map((f) => f.file)).size;
  out(
    `Total : ${plural(c.acceptee, ['ligne acceptée', 'lignes acceptées'])}, ${plural(c.rejetee, ['rejetée', 'rejetées'])}, ${plural(c['non-rapprochee'], ['non rapprochée', 'non rapprochées'])}` +
      (c.conflit ? `, ${plural(c.conflit, ['en conflit', 'en conflit'])}` : '') +
      (failed ? `, ${plural(failed, ['fichier en échec', 'fichiers en échec'])}` : '') +
      '.\n',
  );
}
