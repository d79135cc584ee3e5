import { Journal, type JournalEntry } from '../journal/journal.js';
import { UserError } from '../util/errors.js';
import { plural } from '../status/status.js';
import { refreshLiving, retourCopy } from './refresh.js';
import { withDepositLock } from '../util/lock.js';
import { importReturn, type RetourLineOutcome } from '../retour/file.js';
import { Matcher } from '../retour/match.js';

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

/** Reads each file, one after the other: a file in failure leaves the others to be recorded. */
async function readAll(files: string[], journal: Journal, dir: string) {
  const matcher = new Matcher(journal, dir);
  const outcomes: RetourLineOutcome[] = [];
  const failures: { file: string; message: string }[] = [];
  const touched: JournalEntry[] = [];
  for (const file of files) {
    const r = await importReturn(file, journal, matcher);
    if ('failure' in r) {
      failures.push({ file, message: r.failure });
      continue;
    }
    outcomes.push(...r.outcomes);
    failures.push(...r.failures.map((message) => ({ file, message })));
    touched.push(...r.apply());
  }
  return { outcomes, failures, touched };
}

async function recordReturns(opts: RetourOptions): Promise<number> {
  const journal = Journal.load(opts.outDir);
  if (!journal.entries.length) {
    throw new UserError(`Aucun journal dans ${opts.outDir} : les réponses de l'ASP se rapprochent de ce que convert a exporté dans ce dossier (indiquez-le avec -o).`);
  }
  const { outcomes, failures, touched } = await readAll(opts.files, journal, opts.outDir);
  journal.save();
  const refreshed = await refreshLiving(opts.outDir, journal, touched);
  const copy = opts.workbook ? await retourCopy(opts.workbook, opts.outDir) : undefined;
  for (const r of [...refreshed, ...(copy ? [copy] : [])]) if (!r.ok) failures.push({ file: r.file, message: r.message });
  const out = opts.stdout ?? ((t: string) => process.stdout.write(t));
  if (opts.json) {
    out(JSON.stringify({ journal: journal.file, workbook: copy?.ok ? copy.file : null, workbooks: refreshed.filter((r) => r.ok).map((r) => r.file), lines: outcomes, failures }, null, 2) + '\n');
  } else {
    out(`xlsx2segur retour — journal ${journal.file}\n`);
    printOutcomes(out, outcomes, failures);
    for (const r of refreshed.filter((x) => x.ok)) out(`Classeur de résultats mis à jour : ${r.message}\n`);
    if (copy?.ok) out(`Copie du classeur avec les réponses de l'ASP : ${copy.message}\n`);
  }
  const notTaken = outcomes.some((o) => o.statut === 'non-rapprochee' || o.statut === 'conflit');
  return failures.length ? 2 : notTaken ? 1 : 0;
}

const MARKS: Record<RetourLineOutcome['statut'], string> = { acceptee: '✓', rejetee: '✗', 'non-rapprochee': '?', conflit: '!' };

function printOutcomes(out: (t: string) => void, outcomes: RetourLineOutcome[], failures: { file: string; message: string }[]): void {
  for (const o of outcomes) out(`  ${MARKS[o.statut]} ${o.file}, ligne ${o.numLigne ?? '?'} (${o.kind}) : ${o.message}\n`);
  for (const f of failures) out(`✗ ${f.message}\n`);
  const count = (s: RetourLineOutcome['statut']) => outcomes.filter((o) => o.statut === s).length;
  const conflicts = count('conflit');
  const failed = new Set(failures.map((f) => f.file)).size;
  out(
    `Total : ${plural(count('acceptee'), ['ligne acceptée', 'lignes acceptées'])}, ${plural(count('rejetee'), ['rejetée', 'rejetées'])}, ${plural(count('non-rapprochee'), ['non rapprochée', 'non rapprochées'])}` +
      (conflicts ? `, ${plural(conflicts, ['en conflit', 'en conflit'])}` : '') +
      (failed ? `, ${plural(failed, ['fichier en échec', 'fichiers en échec'])}` : '') +
      '.\n',
  );
}
