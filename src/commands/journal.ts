import fs from 'node:fs';
import { Journal, STATE_LABELS, stateOf } from '../journal/journal.js';
import { UserError } from '../util/errors.js';
import { readWorkbook } from '../read/xlsx.js';
import { cellScalar } from '../read/cell.js';

const ASP_NUMBER = /^FINBIO\d{6}$/;

/** A list of numeroASP: values given, or files holding them in one column (text, CSV or .xlsx). */
export async function expandNumbers(values: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const v of values) {
    if (fs.existsSync(v) && fs.statSync(v).isFile()) {
      if (/\.(xlsx|xlsm)$/i.test(v)) {
        const wb = await readWorkbook(v);
        for (const ws of wb.worksheets) {
          ws.eachRow((row) => {
            const c = cellScalar(row.getCell(1).value);
            if (typeof c === 'string') out.push(c);
          });
        }
      } else {
        for (const line of fs.readFileSync(v, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/)) {
          const first = line.split(/[;,\t]/)[0].trim().replace(/^"|"$/g, '');
          if (first) out.push(first);
        }
      }
    } else out.push(...v.split(/[\s,;]+/).filter(Boolean));
  }
  return out.filter((x) => ASP_NUMBER.test(x.trim())).map((x) => x.trim());
}

export async function runJournal(opts: { dir: string; payee?: string[]; refusee?: string[]; json?: boolean; stdout?: (t: string) => void }): Promise<number> {
  const out = opts.stdout ?? ((t: string) => process.stdout.write(t));
  const journal = Journal.load(opts.dir);
  if (!journal.entries.length && !fs.existsSync(journal.file)) {
    throw new UserError(`Aucun journal dans ${opts.dir} (${journal.file}) : il est créé par convert dans son dossier de sortie.`);
  }
  let code = 0;
  const record = async (values: string[] | undefined, state: 'payee' | 'refusee') => {
    if (!values?.length) return;
    const numbers = await expandNumbers(values);
    if (!numbers.length) {
      out(`Aucun numéro de dossier FINBIO dans : ${values.join(', ')}\n`);
      code = 1;
    }
    for (const n of numbers) {
      const entry = journal.avanceByAsp(n);
      if (!entry) {
        out(`✗ ${n} : aucune avance acceptée de ce numéro dans le journal.\n`);
        code = 1;
        continue;
      }
      entry.paiement = state;
      out(`✓ ${n} (demande ${entry.numeroEditeur}) : ${state === 'payee' ? 'avance payée' : 'avance refusée'}.\n`);
    }
    journal.save();
  };
  await record(opts.payee, 'payee');
  await record(opts.refusee, 'refusee');
  if (opts.payee?.length || opts.refusee?.length) return code;
  if (opts.json) {
    out(JSON.stringify({ journal: journal.file, entries: journal.entries.map((e) => ({ ...e, etat: stateOf(e) })) }, null, 2) + '\n');
    return 0;
  }
  out(`Journal ${journal.file} : ${journal.entries.length} demande(s) exportée(s)\n`);
  out('type    numéro ANS  n° éditeur  dossier ASP   fichier                              ligne  état\n');
  for (const e of journal.entries) {
    out(
      `${e.kind.padEnd(7)} ${e.numeroAns.padEnd(11)} ${e.numeroEditeur.padEnd(11)} ${(e.numeroASP ?? '-').padEnd(13)} ${e.file.padEnd(36)} ${String(e.numLigne).padStart(5)}  ${STATE_LABELS[stateOf(e)]}${e.asp?.statut === 'rejetee' && e.asp.libelle ? ` : ${e.asp.libelle}` : ''}${e.renumberedFrom ? ` (ancien numéro ${e.renumberedFrom})` : ''}\n`,
    );
  }
  return 0;
}
