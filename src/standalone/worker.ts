/**
 * The engine in the page's Web Worker: the page sends the files the user gave (workbooks, CSV files, the
 * PJ folder, the previous journal or the deposit folder) as bytes, the worker runs convertCore on them, the
 * same function as the CLI's, and sends back the report and, for an export, one zip of every file to
 * put in the deposit folder. Nothing here leaves the machine: the page's Content-Security-Policy allows no
 * connection at all.
 */
import './jitless.js';
import JSZip from 'jszip';
import { convertCore, type EngineInput } from '../engine/core.js';
import { memoryFolder } from '../journal/folder.js';
import { Journal, JOURNAL_NAME } from '../journal/journal.js';
import { memoryPjFolder } from '../pj/memory.js';
import { checkNotBinary, decodeCsv, parseCsv } from '../read/csv.js';
import { csvWorkbookBytes } from '../read/csv-package.js';
import { UserError } from '../util/errors.js';
import type { Job, Reply } from './protocol.js';
import type { Report } from '../ui/page/types.js';

const FIXED_DATE = new Date(Date.UTC(2021, 9, 25, 0, 0, 0));

function post(reply: Reply, transfer: Transferable[] = []): void {
  (self as unknown as Worker).postMessage(reply, transfer);
}

/** The CSV files given as one workbook (one sheet per file, as a folder of CSV files in the CLI). */
async function csvInput(job: Job): Promise<EngineInput | undefined> {
  if (!job.csv.length) return undefined;
  const sheets = [...job.csv]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((f) => {
      const bytes = Buffer.from(f.bytes);
      checkNotBinary(bytes, f.name);
      return { name: f.name.replace(/\.csv$/i, '').slice(0, 31), rows: parseCsv(decodeCsv(bytes).text, f.name) };
    });
  return { file: job.csvName, bytes: await csvWorkbookBytes(sheets), csv: true };
}

/** The deposit folder's state: the journal and the files the user gave of it; nothing given, an empty one. */
function stateOf(job: Job) {
  const where = job.deposit?.name ?? 'dossier de dépôt';
  const file = `${where}/${JOURNAL_NAME}`;
  const texts = new Map((job.deposit?.files ?? []).map((f) => [f.name, f.text ?? '']));
  const journal = job.deposit?.journal !== undefined && job.deposit.journal !== null ? Journal.parse(file, job.deposit.journal) : undefined;
  return { journal: { file, entries: journal?.entries ?? [], found: Boolean(journal) }, folder: memoryFolder(where, texts) };
}

/**
 * One zip of what goes into the deposit folder: JSON files, their PJ zips, results workbooks, the journal.
 * Stored, not compressed: it only carries them to the folder, and deflating the JSON files in JavaScript
 * would make the export a second longer at 10 000 demandes.
 */
async function exportZip(files: { name: string; bytes: Uint8Array | string }[]): Promise<Uint8Array> {
  const zip = new JSZip();
  for (const f of files) zip.file(f.name, f.bytes, { date: FIXED_DATE, createFolders: false, binary: typeof f.bytes !== 'string', compression: 'STORE' });
  return zip.generateAsync({ type: 'uint8array', platform: 'DOS' });
}

async function run(job: Job): Promise<void> {
  const inputs: EngineInput[] = job.workbooks.map((w) => ({ file: w.name, bytes: new Uint8Array(w.bytes) }));
  const csv = await csvInput(job);
  if (csv) inputs.push(csv);
  const state = stateOf(job);
  const pj = job.pj ? memoryPjFolder(job.pj.name, job.pj.files.map((f) => ({ path: f.path, bytes: new Uint8Array(f.bytes) }))) : undefined;
  const progress = (stage: string, value: number, total: number) => post({ type: 'progress', stage, value, total });
  const out = await convertCore(inputs, { outDir: state.folder.where, date: job.date, dryRun: !job.export, force: job.force, pj, progress }, state);
  if (!job.export) return post({ type: 'report', report: out.report as unknown as Report });
  progress('archive à télécharger', 0, 1);
  const files = [
    ...out.jsonFiles.map((f) => ({ name: f.name, bytes: f.text })),
    ...out.zips,
    ...out.workbooks.map((w) => ({ name: w.name, bytes: new Uint8Array(w.bytes.buffer, w.bytes.byteOffset, w.bytes.byteLength) })),
  ];
  const journal = out.jsonFiles.length ? new Journal(state.journal.file, out.journal).text() : undefined;
  if (journal) files.push({ name: JOURNAL_NAME, bytes: journal });
  const zip = await exportZip(files);
  const report = out.report as unknown as Report;
  post({ type: 'report', report, zip: zip.buffer as ArrayBuffer, names: files.map((f) => f.name), journal }, [zip.buffer as ArrayBuffer]);
}

self.onmessage = (e: MessageEvent<Job>) => {
  run(e.data).catch((err: unknown) => {
    const message = err instanceof UserError ? err.message : `Erreur inattendue (${(err as Error)?.message ?? String(err)}).`;
    post({ type: 'failure', message });
  });
};
