import path from 'node:path';
import type { XlsxPackage } from '../read/package.js';
import type { WorkbookResult } from '../rules/validate.js';
import { sortIssues } from '../issues/issues.js';
import { planBatch, renderFile, type Batch, type PlannedFile, type SequenceState, type WrittenFile } from '../emit/files.js';
import { zipSize } from '../pj/zip.js';
import { resultsWorkbook } from '../annotate/results.js';
import { livingName, type OutputMark } from '../annotate/mark.js';
import type { Journal } from '../journal/journal.js';
import type { DepositFolder } from '../journal/folder.js';
import { linkJournal, recordWritten } from '../journal/link.js';
import { statusOf, toExport } from '../status/status.js';

/** A workbook read and checked, with the package its results workbook is written from. */
export interface Loaded {
  pkg: XlsxPackage;
  result: WorkbookResult;
  mark?: OutputMark;
}

export interface DecideOptions {
  /** The deposit folder's path, as outputs and messages name it. */
  outDir: string;
  /** Day of deposit, AAAAMMJJ. */
  date: string;
  dryRun?: boolean;
  force?: boolean;
  renumber?: boolean;
  sequence?: number;
  /** A .zip of its PJ beside each JSON file (the PJ were checked and gathered). */
  withZip?: boolean;
  /** The results workbook to write: the living one, or a retour copy. */
  output?: 'resultats' | 'retour';
  /** Checks the PJ of each demande where they are kept (the commands: a folder on disk). */
  checkPj?: (results: WorkbookResult[]) => void;
}

/** A results workbook to write: its name in the deposit folder and how to make its bytes (one at a time). */
export interface PlannedWorkbook {
  file: string;
  name: string;
  bytes(): Promise<Buffer>;
}

export interface Decision {
  /** The JSON files to write, in order, with their texts. */
  planned: PlannedFile[];
  /** The same files as the report and the Synthèse show them once written. */
  files: WrittenFile[];
  workbooks: PlannedWorkbook[];
}

/**
 * The second half of a conversion, once the workbooks are checked and the journal read: each demande linked
 * to the journal (its status decided), the JSON files planned (exportPlanned makes them and records them
 * in the journal), the problems sorted, and the results workbooks planned. Nothing is written: the commands write the files,
 * save the journal and replace the living workbooks, at their edge.
 */
export function decideOutputs(loaded: Loaded[], journal: Journal, folder: DepositFolder, opts: DecideOptions): Decision {
  const results = loaded.map((l) => l.result);
  linkJournal(results, journal, { folder, force: opts.force, renumber: opts.renumber, dryRun: opts.dryRun });
  opts.checkPj?.(results);
  const planned = opts.dryRun ? [] : planExport(results, journal, folder, opts);
  const files = planned.map((p) => fileOf(p, opts));
  for (const l of loaded) sortIssues(l.result.issues, [l.result.file], l.result.mapping.sheets.map((s) => l.result.sheets[s.name]?.actualName ?? s.name));
  return { planned, files, workbooks: planWorkbooks(loaded, files, opts) };
}

/**
 * Makes each planned file's text in turn and hands it to `write` (the commands put it on disk, the engine
 * keeps it), one file at a time; then the journal records the demandes of those files, in memory (the
 * commands save it once every file is written). Nothing is recorded when a write fails.
 */
export async function exportPlanned(
  decision: Decision,
  journal: Journal,
  results: WorkbookResult[],
  date: string,
  write: (planned: PlannedFile, file: WrittenFile, text: string) => Promise<void> | void,
): Promise<void> {
  for (const [i, p] of decision.planned.entries()) await write(p, decision.files[i], renderFile(p, decision.files[i]));
  if (decision.planned.length) recordWritten(journal, results, decision.files, date);
}

/** The JSON files of the demandes to export, grouped by kind and numeroAns in input order. */
function planExport(results: WorkbookResult[], journal: Journal, folder: DepositFolder, opts: DecideOptions): PlannedFile[] {
  const batches = new Map<string, Batch>();
  for (const r of results) {
    const ready = r.demandes.filter((d) => toExport(statusOf(d, r.mapping.kind)));
    if (!ready.length || !r.numeroAns || !r.header) continue;
    const k = `${r.mapping.kind}|${r.numeroAns}`;
    if (!batches.has(k)) batches.set(k, { mapping: r.mapping, numeroAns: r.numeroAns, header: r.header, demandes: [] });
    batches.get(k)!.demandes.push(...ready);
  }
  if (!batches.size) return [];
  const seq: SequenceState = { next: new Map(), used: journal.entries.map((e) => e.file), names: folder.names() };
  return [...batches.values()].flatMap((b) => planBatch(b, opts.date, seq, opts.sequence));
}

function fileOf(p: PlannedFile, opts: DecideOptions): WrittenFile {
  const file: WrittenFile = {
    name: p.name,
    path: path.join(opts.outDir, p.name),
    kind: p.kind,
    numeroAns: p.numeroAns,
    sequence: p.sequence,
    lines: p.lines,
    bytes: 0, // set when its text is made (renderFile)
    demandes: p.demandes,
    portalValues: p.portalValues,
  };
  if (opts.withZip) file.zip = { name: p.name.replace(/\.json$/i, '.zip'), bytes: zipSize(p.pj) };
  return file;
}

/** Each input's results workbook: the living one of its name (two inputs of one name: the folder's name too). */
function planWorkbooks(loaded: Loaded[], files: WrittenFile[], opts: DecideOptions): PlannedWorkbook[] {
  const output = opts.output ?? 'resultats';
  const used = new Set<string>();
  return loaded.map(({ pkg, result, mark }) => {
    let name = livingName(result.file, mark).replace(/\.resultats\.xlsx$/, `.${output}.xlsx`);
    if (used.has(name)) name = `${path.basename(path.dirname(path.resolve(result.file)))}-${name}`;
    used.add(name);
    const mine = new Set(result.demandes.map((d) => d.output?.file));
    const source = result.source ?? path.basename(result.file);
    const options = { dryRun: Boolean(opts.dryRun), files: files.filter((f) => mine.has(f.name)), date: opts.date, source, mark: { output, source, date: opts.date } };
    return { file: result.file, name, bytes: () => resultsWorkbook(pkg, result, options) };
  });
}
