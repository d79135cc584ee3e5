import type { Mapping } from '../mapping/load.js';
import { XlsxPackage } from '../read/package.js';
import { Journal, type JournalEntry } from '../journal/journal.js';
import type { DepositFolder } from '../journal/folder.js';
import { buildReport, type FileFailure, type Report } from '../report/report.js';
import { parseDepositDate } from '../util/dates.js';
import { UserError } from '../util/errors.js';
import { checkWorkbooks, readingSize, skipOwnOutputs, type Opened } from './check.js';
import { decideOutputs, exportPlanned, type DecideOptions } from './decide.js';
import { checkPj, type PjFolder } from '../pj/check.js';
import { buildZip } from '../pj/zip.js';

/** A workbook given as bytes, under the name messages give it (a folder of CSV files: made a workbook first). */
export interface EngineInput {
  file: string;
  bytes: Uint8Array;
  csv?: boolean;
}

export interface CoreOptions extends Omit<DecideOptions, 'checkPj' | 'withZip'> {
  /** A mapping to use for every input, instead of detecting each one's kind. */
  mapping?: Mapping;
  /** The PJ folder: each demande's documents checked in it, and a .zip of them beside each JSON file. */
  pj?: PjFolder;
  /** How far it is, for a progress bar: the stage, and how many of its steps are done. */
  progress?: (stage: string, value: number, total: number) => void;
}

/** The deposit folder's state: its journal (with the path it is saved at) and what it holds. */
export interface CoreState {
  journal: { file: string; entries: JournalEntry[]; found: boolean };
  folder: DepositFolder;
}

export interface CoreOutcome {
  /** The JSON files to deposit, named as the ASP requires. */
  jsonFiles: { name: string; text: string }[];
  /** With a PJ folder: the .zip of each JSON file's documents, named as it is. */
  zips: { name: string; bytes: Uint8Array }[];
  /** Each input's results workbook. */
  workbooks: { file: string; name: string; bytes: Buffer }[];
  /** The journal once these files are deposited: the entries given, and those of this run. */
  journal: JournalEntry[];
  report: Report;
}

/**
 * The whole conversion as one function of bytes, options and the deposit folder's state, touching no file
 * system: workbooks read and checked, demandes linked to the journal, JSON files planned and recorded,
 * results workbooks made, the report. The CLI runs its two halves (engine/check.ts, engine/decide.ts) around
 * the deposit folder's lock, which a caller holding all of it in memory does not need; same stages, same bytes.
 */
export async function convertCore(inputs: EngineInput[], opts: CoreOptions, state: CoreState): Promise<CoreOutcome> {
  const failures: FileFailure[] = [];
  const progress = opts.progress ?? (() => {});
  const opened = await openInputs(inputs, failures, progress);
  const files = inputs.map((i) => i.file);
  const { opened: kept, skipped } = skipOwnOutputs(opened, files, new Set());
  // Reading, window by window of the sheets' XML: told as a percentage.
  const total = readingSize(kept);
  let read = 0;
  const tick = (bytes: number) => progress('lecture et contrôle des classeurs (%)', Math.floor((100 * (read += bytes)) / total), 100);
  const loaded = await checkWorkbooks(kept, opts.mapping, parseDepositDate(opts.date).french, failures, tick);
  const journal = new Journal(state.journal.file, [...state.journal.entries]);
  const pj = opts.pj;
  const decision = decideOutputs(loaded, journal, state.folder, { ...opts, withZip: Boolean(pj), checkPj: pj && ((results) => checkPj(results, pj)) });
  const jsonFiles: CoreOutcome['jsonFiles'] = [];
  const zips: CoreOutcome['zips'] = [];
  // Each file's text, then the .zip of its PJ, in the order the commands write them (export-files.ts).
  await exportPlanned(decision, journal, loaded.map((l) => l.result), opts.date, async (p, file, text) => {
    jsonFiles.push({ name: p.name, text });
    if (!file.zip) return;
    const bytes = await buildZip(p.pj);
    file.zip.bytes = bytes.length;
    zips.push({ name: file.zip.name, bytes });
  });
  const workbooks: CoreOutcome['workbooks'] = [];
  const resultFiles = new Map<string, string>();
  for (const [n, w] of decision.workbooks.entries()) {
    progress('classeurs de résultats', n, decision.workbooks.length);
    workbooks.push({ file: w.file, name: w.name, bytes: await w.bytes() });
    resultFiles.set(w.file, `${opts.outDir}/${w.name}`);
  }
  const report = buildReport({
    command: opts.dryRun ? 'validate' : 'convert',
    date: opts.date,
    outDir: opts.outDir,
    journal: { file: state.journal.file, found: state.journal.found },
    results: loaded.map((l) => l.result),
    resultFiles,
    written: decision.files,
    skipped,
    failures,
    pjChecked: Boolean(pj),
  });
  return { jsonFiles, zips, workbooks, journal: journal.entries, report };
}

/** Each input opened as a package; one that cannot be read goes to failures, with its French message. */
async function openInputs(inputs: EngineInput[], failures: FileFailure[], progress: NonNullable<CoreOptions['progress']>): Promise<Opened[]> {
  const opened: Opened[] = [];
  for (const [n, i] of inputs.entries()) {
    progress('ouverture des classeurs', n, inputs.length);
    try {
      opened.push({ file: i.file, pkg: await XlsxPackage.open(i.file, Buffer.from(i.bytes.buffer, i.bytes.byteOffset, i.bytes.byteLength)), csv: Boolean(i.csv) });
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      failures.push({ file: i.file, message: e.message });
    }
  }
  return opened;
}
