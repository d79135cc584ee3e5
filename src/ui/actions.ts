import fs from 'node:fs';
import path from 'node:path';
import type { Progress } from '../report/progress.js';
import { runConvert } from '../commands/convert.js';
import { runRetour } from '../commands/retour.js';
import { journalOutcome, runJournal } from '../commands/journal.js';
import { soldeWorkbooks } from '../commands/solde.js';
import { Journal } from '../journal/journal.js';
import { HttpError } from './http.js';

/**
 * What the page can do: each action is the command the CLI runs, with the same options, in the same
 * deposit folder. The workbooks the page sends are kept in a folder of the system's temporary folder (never
 * in the deposit folder), named as on the user's disk so that the results workbooks get the same names as
 * with the CLI; they are read from there as `xlsx2segur convert <classeurs> -o <dossier>` would read them.
 */
export interface UiSession {
  /** The deposit folder (-o): its journal, JSON files, zips and living results workbooks. */
  outDir: string;
  /** Where the page's workbooks are kept, inside the system's temporary folder. */
  inputDir: string;
  /** Where the ASP's return files are kept before retour reads them. */
  returnDir: string;
  /** Workbooks (or CSV folders) in the order the page sent them. */
  inputs: string[];
  /** Where the check or export under way is (the page asks while it waits). */
  progress: { stage: string; total: number; value: number } | null;
}

const WORKBOOK = /\.(xlsx|xlsm|xls|xlsb|ods)$/i;

/** A file or folder name the page sends: one plain segment, as a disk would hold it. */
export function plainName(name: string): string {
  const n = name.normalize('NFC');
  if (!n || n.length > 200 || n === '.' || n === '..' || n.startsWith('.') || /[/\\\0:*?"<>|]/.test(n) || /[\u0000-\u001f]/.test(n)) {
    throw new HttpError(400, `Nom de fichier « ${name} » refusé : il doit être un simple nom de fichier (sans dossier, sans « .. » ni caractère spécial). Renommez le fichier puis déposez-le à nouveau.`);
  }
  return n;
}

/** A name of the page's inputs: `classeur.xlsx`, or `dossier/Feuille.csv` for a workbook given as CSV files. */
function inputPath(session: UiSession, name: string): { entry: string; file: string } {
  const parts = name.split('/');
  if (parts.length > 2) throw new HttpError(400, `Nom « ${name} » refusé : un classeur, ou un dossier de fichiers CSV, est attendu.`);
  const [first, second] = parts.map(plainName);
  if (second !== undefined) {
    if (!/\.csv$/i.test(second)) throw new HttpError(400, `« ${second} » : seuls des fichiers .csv forment un classeur en plusieurs fichiers.`);
    return { entry: first, file: path.join(session.inputDir, first, second) };
  }
  if (!WORKBOOK.test(first) && !/\.csv$/i.test(first)) {
    throw new HttpError(400, `« ${first} » n'est ni un classeur (.xlsx) ni un fichier CSV : déposez le classeur rempli, ou les fichiers CSV de ses feuilles.`);
  }
  return { entry: first, file: path.join(session.inputDir, first) };
}

export function saveInput(session: UiSession, name: string, bytes: Buffer): { inputs: string[] } {
  const { entry, file } = inputPath(session, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
  if (!session.inputs.includes(entry)) session.inputs.push(entry);
  return { inputs: session.inputs };
}

export function removeInput(session: UiSession, name: string): { inputs: string[] } {
  const entry = plainName(name);
  fs.rmSync(path.join(session.inputDir, entry), { recursive: true, force: true });
  session.inputs = session.inputs.filter((i) => i !== entry);
  return { inputs: session.inputs };
}

export function clearInputs(session: UiSession): { inputs: string[] } {
  for (const i of session.inputs) fs.rmSync(path.join(session.inputDir, i), { recursive: true, force: true });
  session.inputs = [];
  return { inputs: [] };
}

/** Replaces, in every text of a value, the temporary folder's path by nothing: the page shows the names the user knows. */
function withoutFolder<T>(value: T, folder: string): T {
  const prefix = folder + path.sep;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return v.split(prefix).join('');
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** validate (check) or convert (export) on the page's workbooks, in the deposit folder. */
export async function convertInputs(session: UiSession, body: Record<string, unknown>, dryRun: boolean) {
  if (!session.inputs.length) throw new HttpError(400, 'Aucun classeur : déposez d\'abord un classeur rempli (ou choisissez-le avec le bouton « Choisir des classeurs »).');
  let summary = '';
  const outcome = await runConvert({
    inputs: session.inputs.map((i) => path.join(session.inputDir, i)),
    outDir: session.outDir,
    date: text(body.date),
    pj: text(body.pj),
    dryRun,
    force: !dryRun && body.force === true,
    renumber: !dryRun && body.renumber === true,
    quiet: true,
    stdout: (t) => (summary += t),
    progress: pageProgress(session),
  }).finally(() => (session.progress = null));
  return withoutFolder({ exitCode: outcome.exitCode, report: outcome.report, texte: summary }, session.inputDir);
}

/** The progress the page asks for: steps, or a percentage of the bytes read. */
function pageProgress(session: UiSession): Progress {
  let scale = 1;
  let steps = 0;
  return {
    stage(stage, total, unit) {
      scale = unit === 'octets' ? 100 / Math.max(total, 1) : 1;
      steps = 0;
      session.progress = { stage: unit === 'octets' ? `${stage} (%)` : stage, total: unit === 'octets' ? 100 : total, value: 0 };
    },
    tick(n = 1) {
      steps += n;
      if (session.progress) session.progress.value = Math.floor(steps * scale);
    },
    done: () => void (session.progress = null),
  };
}

/** retour on the return files the page sends (name and bytes, base64). */
export async function recordReturns(session: UiSession, body: Record<string, unknown>) {
  const files = Array.isArray(body.fichiers) ? body.fichiers : [];
  if (!files.length) throw new HttpError(400, 'Aucun fichier de retour : déposez le ou les fichiers JSON rendus par le portail de l\'ASP.');
  const dir = fs.mkdtempSync(path.join(session.returnDir, 'retour-'));
  const paths: string[] = [];
  for (const f of files as { nom?: unknown; base64?: unknown }[]) {
    const name = plainName(String(f?.nom ?? ''));
    const target = path.join(dir, name);
    fs.writeFileSync(target, Buffer.from(String(f?.base64 ?? ''), 'base64'));
    paths.push(target);
  }
  let out = '';
  try {
    const exitCode = await runRetour({ files: paths, outDir: session.outDir, json: true, stdout: (t) => (out += t) });
    return withoutFolder({ exitCode, ...JSON.parse(out) }, dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The journal as `xlsx2segur journal --json` lists it; empty when the folder has none yet. */
export async function listJournal(session: UiSession) {
  const file = Journal.pathIn(session.outDir);
  if (!fs.existsSync(file)) return { journal: file, absent: true, entries: [] };
  let out = '';
  await runJournal({ dir: session.outDir, json: true, stdout: (t) => (out += t) });
  return { absent: false, ...JSON.parse(out) };
}

const ASP_TOKEN = /^[A-Za-z0-9]+$/;

/**
 * journal --payee / --refusee with the numbers typed on the page. Only plain words are passed: the command
 * would read a value naming a file of the server's folder as a list of numbers.
 */
export async function recordPayments(session: UiSession, body: Record<string, unknown>) {
  const words = (v: unknown) => (typeof v === 'string' ? v.split(/[\s,;]+/).filter(Boolean) : []);
  const payee = words(body.payee);
  const refusee = words(body.refusee);
  const lines = [...payee, ...refusee].filter((x) => !ASP_TOKEN.test(x)).map((w) => `✗ « ${w} » : pas un numéro de dossier ASP (FINBIO suivi de 6 chiffres) ; ignoré.`);
  const ignored = lines.length;
  const keep = (l: string[]) => l.filter((x) => ASP_TOKEN.test(x));
  if (!keep(payee).length && !keep(refusee).length) {
    if (!lines.length) throw new HttpError(400, 'Aucun numéro de dossier : saisissez les numéros FINBIO… des avances payées (ou refusées), séparés par des espaces ou des retours à la ligne.');
    return { exitCode: 1, lignes: lines };
  }
  const r = await journalOutcome({ dir: session.outDir, payee: keep(payee), refusee: keep(refusee), stdout: () => undefined });
  lines.push(...r.payments.map((p) => p.message), ...r.workbooks.map((w) => (w.ok ? `Classeur de résultats mis à jour : ${w.message}` : `✗ ${w.message}`)));
  // A word ignored here is a number not taken into account: exit code 1, as journal gives for one it ignores.
  return { exitCode: ignored && r.exitCode === 0 ? 1 : r.exitCode, lignes: lines, paiements: r.payments };
}

export const SOLDE_NAME = 'solde-bio-sgl.xlsx';

/** solde --from <dossier> -o <dossier>/solde-bio-sgl.xlsx: the workbooks it wrote are offered. */
export async function prepareSolde(session: UiSession, body: Record<string, unknown>) {
  let out = '';
  const r = await soldeWorkbooks({ from: session.outDir, out: path.join(session.outDir, SOLDE_NAME), nonPayees: body.nonPayees === true, stdout: (t) => (out += t) });
  return { exitCode: r.exitCode, lignes: out.split('\n').filter(Boolean), classeurs: r.files.map((f) => path.basename(f)) };
}

/** The deposit folder's files the page offers: JSON files, PJ zips, workbooks and the journal. */
export function depositFiles(session: UiSession): { nom: string; octets: number; modifie: string }[] {
  let names: string[];
  try {
    names = fs.readdirSync(session.outDir);
  } catch {
    return [];
  }
  return names
    .filter((n) => /\.(json|zip|xlsx)$/i.test(n) && !n.startsWith('.'))
    .sort()
    .flatMap((n) => {
      // A link is not followed: only the folder's own files are offered.
      const s = fs.lstatSync(path.join(session.outDir, n), { throwIfNoEntry: false });
      return s?.isFile() ? [{ nom: n, octets: s.size, modifie: s.mtime.toISOString() }] : [];
    });
}

/** The path of a file of the deposit folder the page may download or open: only those depositFiles lists. */
export function depositFile(session: UiSession, name: string): string {
  const n = plainName(name);
  if (!depositFiles(session).some((f) => f.nom === n)) throw new HttpError(404, `« ${n} » n'est pas (ou plus) dans le dossier de dépôt ${session.outDir}. Rechargez la liste des fichiers.`);
  return path.join(session.outDir, n);
}
