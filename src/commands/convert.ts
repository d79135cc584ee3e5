import fs from 'node:fs';
import path from 'node:path';
import { loadMapping, type Mapping } from '../mapping/load.js';
import { detectKind, infoOfPackage, mappingOf } from '../mapping/detect.js';
import { XlsxPackage } from '../read/package.js';
import { resolveInputs } from '../read/inputs.js';
import { readCsvFolder } from '../read/csv.js';
import { refreshStatus, validatePackage, type WorkbookResult } from '../rules/validate.js';
import { columnLetter, makeIssue } from '../rules/issues.js';
import { writeBatch, type Batch, type SequenceState, type WrittenFile } from '../emit/files.js';
import { resultsWorkbook } from '../annotate/results.js';
import { workbookBytes } from '../util/xlsx-write.js';
import { removeStaleTemps, writeFileAtomic } from '../util/fs.js';
import { parseDepositDate, todayCompact } from '../util/dates.js';
import { UserError } from '../util/errors.js';
import { Journal } from '../journal/journal.js';
import { checkAgainstJournal, recordWritten } from '../journal/guard.js';
import { checkPj } from '../pj/check.js';
import { colorsFor, progressBar } from '../report/progress.js';
import { buildReport, printSummary, type FileFailure, type Report } from '../report/report.js';

export interface ConvertOptions {
  inputs: string[];
  outDir: string;
  date?: string;
  sequence?: number;
  json?: boolean;
  mapping?: string;
  /** validate: checks and results workbook only, no JSON. */
  dryRun?: boolean;
  /** Export again demandes the journal says were already exported. */
  force?: boolean;
  /** Give rejected avances the next free numeroEditeur. */
  renumber?: boolean;
  /** The vendor's folder of supporting documents: check them and build a .zip beside each JSON file. */
  pj?: string;
  /** No progress bar. */
  quiet?: boolean;
  /** Where the summary goes (tests pass their own). */
  stdout?: (text: string) => void;
}

export interface ConvertOutcome {
  exitCode: 0 | 1 | 2;
  report: Report;
}

function resultsName(input: string, used: Set<string>, outDir: string): string {
  const base = path.basename(input).replace(/\.(xlsx|xlsm)$/i, '').replace(/\.resultats(-\d+)?$/i, '');
  let name = `${base}.resultats.xlsx`;
  let n = 2;
  while (used.has(name) || path.resolve(outDir, name) === path.resolve(input)) name = `${base}.resultats-${n++}.xlsx`;
  used.add(name);
  return name;
}

/** Checks across workbooks: one SIRET per numeroAns, numeroEditeur unique per numeroAns. */
function crossChecks(results: WorkbookResult[]) {
  // Workbooks sharing a numeroAns must share its SIRET: otherwise none of them is trusted, all are rejected.
  const byAns = new Map<string, WorkbookResult[]>();
  for (const r of results) if (r.numeroAns && r.siret && r.header) byAns.set(r.numeroAns, [...(byAns.get(r.numeroAns) ?? []), r]);
  for (const [ans, list] of byAns) {
    if (new Set(list.map((r) => r.siret)).size < 2) continue;
    for (const r of list) {
      const h = r.header!;
      const others = list.filter((x) => x.siret !== r.siret).map((x) => `${x.siret} dans ${path.basename(x.file)}`);
      const issue = makeIssue(
        'NUMERO_ANS_SIRET_DIFFERENTS',
        { file: r.file, sheet: h.sheet, row: h.row, column: columnLetter(h.cols.SIRET), field: 'SIRET' },
        { numeroAns: ans, siret: r.siret, other: others.join(', ') },
      );
      r.issues.push(issue);
      for (const d of r.demandes) d.issues.push({ ...issue, demande: d.key });
    }
  }
  const byKey = new Map<string, { r: WorkbookResult; d: WorkbookResult['demandes'][number] }[]>();
  for (const r of results) {
    for (const d of r.demandes) {
      const k = `${r.mapping.kind}|${r.numeroAns ?? ''}|${d.key}`;
      byKey.set(k, [...(byKey.get(k) ?? []), { r, d }]);
    }
  }
  for (const list of byKey.values()) {
    const files = new Set(list.map((x) => x.r.file));
    if (files.size < 2) continue;
    for (const { r, d } of list) {
      const others = list.filter((x) => x.r !== r).map((x) => `${path.basename(x.r.file)}, ligne ${x.d.main.row}`);
      const issue = makeIssue(
        'NUMERO_EDITEUR_DOUBLON',
        { file: r.file, sheet: d.main.sheet, row: d.main.row, column: columnLetter(d.main.cols[r.mapping.joinKey]), field: r.mapping.joinKey, demande: d.key },
        { value: d.key, where: `aussi dans ${others.join(' ; ')}` },
      );
      r.issues.push(issue);
      d.issues.push(issue);
    }
  }
  // Other values unique in the batch (numeroASP of a solde: one solde per avance).
  const seen = new Map<string, { r: WorkbookResult; d: WorkbookResult['demandes'][number] }[]>();
  for (const r of results) {
    for (const col of r.mapping.main.columns.filter((c) => c.unique === 'batch' && c.field !== r.mapping.joinKey)) {
      for (const d of r.demandes) {
        const v = d.main.values[col.field];
        if (typeof v !== 'string') continue;
        const k = `${r.mapping.kind}|${col.field}|${v}`;
        seen.set(k, [...(seen.get(k) ?? []), { r, d }]);
      }
    }
  }
  for (const [k, list] of seen) {
    if (list.length < 2) continue;
    const field = k.split('|')[1];
    for (const { r, d } of list) {
      const where = list.filter((x) => x.d !== d).map((x) => `demande ${x.d.key}, ${path.basename(x.r.file)} ligne ${x.d.main.row}`).join(' ; ');
      const issue = makeIssue(
        'VALEUR_DOUBLON_LOT',
        { file: r.file, sheet: d.main.sheet, row: d.main.row, column: columnLetter(d.main.cols[field]), field, demande: d.key },
        { value: d.main.values[field], where },
      );
      r.issues.push(issue);
      d.issues.push(issue);
    }
  }
  for (const r of results) for (const d of r.demandes) refreshStatus(d);
}

export async function runConvert(opts: ConvertOptions): Promise<ConvertOutcome> {
  const out = opts.stdout ?? ((t: string) => process.stdout.write(t));
  const dateCompact = opts.date ?? todayCompact();
  const deposit = parseDepositDate(dateCompact);
  if (opts.sequence !== undefined && (!Number.isInteger(opts.sequence) || opts.sequence < 1 || opts.sequence > 999)) {
    throw new UserError(`--sequence ${opts.sequence} invalide : un entier de 1 à 999 est attendu.`);
  }
  const forced: Mapping | undefined = opts.mapping ? loadMapping(opts.mapping) : undefined;
  const { files, problems } = await resolveInputs(opts.inputs, opts.outDir);
  const failures: FileFailure[] = problems.map((message) => ({ file: '', message }));
  if (!files.length && !failures.length) throw new UserError('Aucun classeur à traiter.');
  fs.mkdirSync(opts.outDir, { recursive: true });
  removeStaleTemps(opts.outDir);

  const progress = progressBar(opts.quiet || Boolean(opts.stdout));
  const loaded: { pkg: XlsxPackage; result: WorkbookResult }[] = [];
  progress.stage('Lecture et contrôle', files.length);
  for (const file of files) {
    progress.tick(0);
    try {
      // A folder of CSV files becomes a workbook in memory, read as any other.
      const csv = fs.statSync(file).isDirectory();
      const pkg = csv ? await XlsxPackage.open(file, await workbookBytes(await readCsvFolder(file))) : await XlsxPackage.open(file);
      const kind = forced ? undefined : detectKind(await infoOfPackage(pkg));
      const mapping = forced ?? (kind ? mappingOf(kind) : undefined);
      if (!mapping) {
        failures.push({
          file,
          message: `${file} : type de classeur inconnu (ni avance ni solde) : il n'a ni la marque d'un modèle xlsx2segur, ni une feuille « Commandes » ou « Factures ». Partez d'un modèle (xlsx2segur template avance|solde) ou indiquez --mapping.`,
        });
        continue;
      }
      const result = await validatePackage(pkg, file, mapping, { depositDate: deposit.french, csv });
      if (result.fatal) {
        failures.push({ file, message: result.fatal });
        continue;
      }
      loaded.push({ pkg, result });
    } catch (e) {
      if (e instanceof UserError) failures.push({ file, message: e.message });
      else failures.push({ file, message: `${file} : erreur inattendue (${(e as Error).message}).` });
    }
    progress.tick();
  }
  const results = loaded.map((l) => l.result);
  crossChecks(results);
  const journal = Journal.load(opts.outDir);
  if (!opts.dryRun && journal.recover(opts.outDir)) journal.save();
  checkAgainstJournal(results, journal, { force: opts.force, renumber: opts.renumber, dryRun: opts.dryRun });
  if (opts.pj) {
    if (!fs.existsSync(opts.pj) || !fs.statSync(opts.pj).isDirectory()) throw new UserError(`--pj ${opts.pj} : dossier des pièces introuvable.`);
    checkPj(results, opts.pj);
  }

  // Accepted demandes grouped by numeroAns, in the order of the inputs and rows.
  const written: WrittenFile[] = [];
  if (!opts.dryRun) {
    const batches = new Map<string, Batch>();
    for (const r of results) {
      const accepted = r.demandes.filter((d) => d.status === 'acceptee');
      if (!accepted.length || !r.numeroAns || !r.header) continue;
      const k = `${r.mapping.kind}|${r.numeroAns}`;
      if (!batches.has(k)) batches.set(k, { mapping: r.mapping, numeroAns: r.numeroAns, header: r.header, demandes: [] });
      batches.get(k)!.demandes.push(...accepted);
    }
    const seq: SequenceState = { next: new Map() };
    progress.stage('Écriture des JSON', batches.size);
    for (const b of batches.values()) {
      written.push(...(await writeBatch(b, opts.outDir, deposit.compact, seq, opts.sequence, Boolean(opts.pj))));
      progress.tick();
    }
    if (written.length) {
      recordWritten(journal, results, written, deposit.compact);
      journal.save();
    }
  }

  progress.stage('Classeurs de résultats', loaded.length);
  const usedNames = new Set<string>();
  const resultFiles = new Map<string, string>();
  for (const { pkg, result } of loaded) {
    const name = resultsName(result.file, usedNames, opts.outDir);
    const target = path.join(opts.outDir, name);
    try {
      const mine = new Set(result.demandes.map((d) => d.output?.file));
      const files = written.filter((f) => mine.has(f.name));
      writeFileAtomic(target, await resultsWorkbook(pkg, result, { dryRun: Boolean(opts.dryRun), files }));
      resultFiles.set(result.file, target);
    } catch (e) {
      failures.push({ file: result.file, message: `${result.file} : classeur de résultats non écrit (${(e as Error).message}).` });
    }
    progress.tick();
  }
  progress.done();

  const report = buildReport({ command: opts.dryRun ? 'validate' : 'convert', date: deposit.compact, outDir: opts.outDir, results, resultFiles, written, failures, pjChecked: Boolean(opts.pj) });
  if (opts.json) out(JSON.stringify(report, null, 2) + '\n');
  else out(printSummary(report, colorsFor(opts.stdout ? ({} as NodeJS.WriteStream) : process.stdout)));
  // 1 when a demande is rejected, or when any error was found (a row attached to no demande, a header fault).
  const exitCode = failures.length
    ? 2
    : results.some((r) => r.demandes.some((d) => d.status === 'rejetee') || r.issues.some((i) => i.severity === 'erreur'))
      ? 1
      : 0;
  return { exitCode, report };
}
