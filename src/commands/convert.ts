import fs from 'node:fs';
import { loadMapping, type Mapping } from '../mapping/load.js';
import { mappingOf } from '../mapping/detect.js';
import { XlsxPackage } from '../read/package.js';
import { resolveInputs } from '../read/inputs.js';
import { csvFolderBytes } from '../read/csv.js';
import type { WorkbookResult } from '../rules/validate.js';
import type { WrittenFile } from '../emit/files.js';
import { writePlanned } from './export-files.js';
import { canonicalOf, fingerprintOf } from '../emit/fingerprint.js';
import { insideFolder, removeStaleTemps } from '../util/fs.js';
import { withDepositLock } from '../util/lock.js';
import { ioMessage } from '../util/io-errors.js';
import { withdrawExport } from './export-fault.js';
import { diskFolder } from './disk-folder.js';
import { parseDepositDate, todayCompact } from '../util/dates.js';
import { UserError } from '../util/errors.js';
import { Journal } from '../journal/journal.js';
import { checkPj } from '../pj/check.js';
import { diskPjFolder } from './pj-folder.js';
import { statusOf } from '../status/status.js';
import { colorsFor, progressBar, type Progress } from '../report/progress.js';
import { buildReport, printSummary, type FileFailure, type Report, type SkippedFile } from '../report/report.js';
import { replaceLiving } from './living.js';
import { decideOutputs, exportPlanned, type Decision, type Loaded } from '../engine/decide.js';
import { checkWorkbooks, readingSize, skipOwnOutputs, type Opened } from '../engine/check.js';

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
  /** The results workbook to write: the living one (default), or a retour copy (retour --workbook). */
  output?: 'resultats' | 'retour';
  /** Where the progress goes instead of the terminal's bar (the page of `xlsx2segur ui`). */
  progress?: Progress;
}

export interface ConvertOutcome {
  exitCode: 0 | 1 | 2;
  report: Report;
}

/** Opens an input: a workbook, or a folder of CSV files made a workbook in memory. */
async function openInput(file: string): Promise<{ pkg: XlsxPackage; csv: boolean }> {
  const csv = fs.statSync(file).isDirectory();
  const pkg = csv ? await XlsxPackage.open(file, await csvFolderBytes(file)) : await XlsxPackage.open(file);
  return { pkg, csv };
}

/** Opens every input; one that cannot be opened goes to failures, the others are read. */
async function openInputs(files: string[], failures: FileFailure[]): Promise<Opened[]> {
  const opened: Opened[] = [];
  for (const file of files) {
    try {
      opened.push({ file, ...(await openInput(file)) });
    } catch (e) {
      failures.push({ file, message: e instanceof UserError ? e.message : `${file} : erreur inattendue (${(e as Error).message}).` });
    }
  }
  return opened;
}

/**
 * Writes the planned JSON files (and their .zip), then the journal that records them. All or nothing: on a
 * fault, the files this run wrote are removed and named (export-fault.ts), the journal left as it was.
 */
async function writeExport(opts: ConvertOptions, decision: Decision, journal: Journal, progress: Progress, results: WorkbookResult[], date: string): Promise<WrittenFile[]> {
  if (!decision.planned.length) return [];
  const written: WrittenFile[] = [];
  progress.stage('Écriture des JSON', decision.planned.length);
  try {
    await exportPlanned(decision, journal, results, date, async (p, file, text) => {
      await writePlanned(opts.outDir, p, file, text, written);
      progress.tick();
    });
    journal.save();
  } catch (e) {
    progress.done();
    const told = withdrawExport(opts.outDir, written, e);
    if (e instanceof UserError || ioMessage(e)) throw told;
    (e as Error).message += `\n${told.message}`; // a true bug: told as such, its files withdrawn all the same
    throw e;
  }
  return written;
}

/** Brings each input's living results workbook up to date; a workbook that cannot be written is a failure. */
async function writeLivingWorkbooks(opts: ConvertOptions, decision: Decision, failures: FileFailure[], progress: Progress) {
  progress.stage('Classeurs de résultats', decision.workbooks.length);
  const resultFiles = new Map<string, string>();
  for (const w of decision.workbooks) {
    try {
      const target = insideFolder(opts.outDir, w.name);
      replaceLiving(target, await w.bytes());
      resultFiles.set(w.file, target);
    } catch (e) {
      failures.push({ file: w.file, message: e instanceof UserError ? e.message : `${w.file} : classeur de résultats non écrit (${(e as Error).message}).` });
    }
    progress.tick();
  }
  return resultFiles;
}

/** 2 when an input could not be read or an output written; 1 when a demande or the file needs the user's action. */
function exitCodeOf(results: WorkbookResult[], failures: FileFailure[]): 0 | 1 | 2 {
  if (failures.length) return 2;
  const action = results.some((r) => r.demandes.some((d) => statusOf(d, r.mapping.kind).needsAction) || r.issues.some((i) => i.severity === 'erreur' && !i.demande));
  return action ? 1 : 0;
}

export async function runConvert(opts: ConvertOptions): Promise<ConvertOutcome> {
  const out = opts.stdout ?? ((t: string) => process.stdout.write(t));
  const deposit = parseDepositDate(opts.date ?? todayCompact());
  if (opts.sequence !== undefined && (!Number.isInteger(opts.sequence) || opts.sequence < 1 || opts.sequence > 999)) {
    throw new UserError(`--sequence ${opts.sequence} invalide : un entier de 1 à 999 est attendu.`);
  }
  if (opts.pj && (!fs.existsSync(opts.pj) || !fs.statSync(opts.pj).isDirectory())) throw new UserError(`--pj ${opts.pj} : ce dossier de pièces justificatives est introuvable.`);
  if (fs.existsSync(opts.outDir) && !fs.statSync(opts.outDir).isDirectory()) {
    throw new UserError(`-o ${opts.outDir} : c'est un fichier, pas un dossier ; indiquez le dossier de dépôt (il est créé s'il n'existe pas).`);
  }
  const forced: Mapping | undefined = opts.mapping ? loadMapping(opts.mapping) : undefined;
  const { files, explicit, problems } = await resolveInputs(opts.inputs, opts.outDir);
  const failures: FileFailure[] = [...problems];
  if (!files.length && !failures.length) throw new UserError('Aucun classeur à traiter.');

  const progress = opts.progress ?? progressBar(opts.quiet || Boolean(opts.stdout));
  const { opened, skipped } = skipOwnOutputs(await openInputs(files, failures), files, explicit);
  progress.stage('Lecture et contrôle', readingSize(opened), 'octets');
  const loaded = await checkWorkbooks(opened, forced, deposit.french, failures, (bytes) => progress.tick(bytes));
  const results = loaded.map((l) => l.result);
  // From reading the journal to the last rename, the deposit folder is this run's alone.
  const checked: Checked = { loaded, results, failures, skipped, deposit, progress, out };
  return withDepositLock(opts.outDir, opts.dryRun ? 'validate' : 'convert', () => writeOutputs(opts, checked), { create: loaded.length > 0 });
}

/** What the reading part of a run hands to its writing part. */
interface Checked {
  loaded: Loaded[];
  results: WorkbookResult[];
  failures: FileFailure[];
  skipped: SkippedFile[];
  deposit: { compact: string; french: string };
  progress: ReturnType<typeof progressBar>;
  out: (text: string) => void;
}

/** Links the demandes to the journal, writes the JSON files, the journal and the results workbooks. */
async function writeOutputs(opts: ConvertOptions, { loaded, results, failures, skipped, deposit, progress, out }: Checked): Promise<ConvertOutcome> {
  const journal = Journal.load(opts.outDir);
  const journalFound = fs.existsSync(journal.file);
  // Something to write: the folder is made now, not before (a run that reads nothing leaves no folder).
  if (loaded.length) fs.mkdirSync(opts.outDir, { recursive: true });
  removeStaleTemps(opts.outDir);
  const folder = diskFolder(opts.outDir);
  if (!opts.dryRun && journal.recover(folder, (kind, line) => fingerprintOf(canonicalOf(mappingOf(kind), line)))) journal.save();
  const decision = decideOutputs(loaded, journal, folder, {
    outDir: opts.outDir,
    date: deposit.compact,
    dryRun: opts.dryRun,
    force: opts.force,
    renumber: opts.renumber,
    sequence: opts.sequence,
    withZip: Boolean(opts.pj),
    output: opts.output,
    checkPj: opts.pj ? (results) => checkPj(results, diskPjFolder(opts.pj!)) : undefined,
  });
  const written = await writeExport(opts, decision, journal, progress, results, deposit.compact);
  const resultFiles = await writeLivingWorkbooks(opts, decision, failures, progress);
  progress.done();

  const report = buildReport({ command: opts.dryRun ? 'validate' : 'convert', date: deposit.compact, outDir: opts.outDir, journal: { file: journal.file, found: journalFound }, results, resultFiles, written, skipped, failures, pjChecked: Boolean(opts.pj) });
  if (opts.json) out(JSON.stringify(report, null, 2) + '\n');
  else out(printSummary(report, colorsFor(opts.stdout ? ({} as NodeJS.WriteStream) : process.stdout)));
  return { exitCode: exitCodeOf(results, failures), report };
}
