import fs from 'node:fs';
import path from 'node:path';
import { csvWorkbookBytes } from './csv-package.js';
import Papa from 'papaparse';
import { bomOf, decodeText } from './encoding.js';
import { UserError } from '../util/errors.js';

/** Largest CSV file read (a sheet of demandes is far smaller). */
const MAX_CSV_BYTES = 200 * 1024 * 1024;

/**
 * Decodes a CSV file: UTF-8 with or without BOM, UTF-16 with its BOM, else Windows-1252 (French Excel's
 * "CSV (séparateur: point-virgule)" export). A file that is not valid UTF-8 is read as Windows-1252.
 */
export function decodeCsv(bytes: Buffer): { text: string; encoding: 'utf-8' | 'windows-1252' | 'utf-16' } {
  const { text, encoding } = decodeText(bytes);
  return { text, encoding: encoding === 'utf-16le' || encoding === 'utf-16be' ? 'utf-16' : encoding };
}

/**
 * The delimiter, told from the header line (the most frequent of ; , tab outside quotes). Papaparse's own
 * guess needs an average of two fields a line, which a two-column header sheet with a blank line misses.
 */
export function detectDelimiter(text: string): string {
  const first = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  const unquoted = first.replace(/"[^"]*"/g, '');
  let best = ';';
  let count = 0;
  for (const d of [';', ',', '\t']) {
    const n = unquoted.split(d).length - 1;
    if (n > count) {
      best = d;
      count = n;
    }
  }
  return best;
}

export function parseCsv(text: string, file: string): string[][] {
  const res = Papa.parse<string[]>(text, { delimiter: detectDelimiter(text), skipEmptyLines: false });
  const fatal = res.errors.find((e) => e.type === 'Quotes');
  if (fatal) throw new UserError(`${file} : CSV mal formé ligne ${(fatal.row ?? 0) + 1} (${fatal.message}).`);
  return res.data;
}

/**
 * Refuses a .csv file whose content is binary: a workbook (.xlsx is a zip, .xls an OLE/CFB file) renamed,
 * or any file holding NUL bytes, which no CSV export writes (UTF-16 with its byte order mark aside).
 */
export function checkNotBinary(bytes: Buffer, file: string): void {
  const head = bytes.subarray(0, 64 * 1024);
  const utf16 = bomOf(head)?.encoding.startsWith('utf-16') ?? false;
  let what: string | undefined;
  if (head.length >= 4 && head.readUInt32LE(0) === 0x04034b50) what = 'une archive zip : un classeur .xlsx renommé en .csv ?';
  else if (head.length >= 4 && head.readUInt32LE(0) === 0xe011cfd0) what = 'un conteneur OLE/CFB : un classeur .xls renommé en .csv ?';
  else if (!utf16 && head.includes(0)) what = 'des octets nuls';
  if (what) {
    throw new UserError(`${file} : ce fichier n'est pas un fichier CSV (contenu binaire, ${what}). Enregistrez la feuille au format CSV, ou donnez le classeur .xlsx lui-même.`);
  }
}

/** The CSV files of a folder, by their base name. */
export function csvFiles(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir)
      .filter((n) => /\.csv$/i.test(n))
      .sort();
  } catch {
    return [];
  }
}

/** The sheets of a folder of CSV files: name (the file's, 31 characters at most) and rows of text cells. */
export function readCsvSheets(dir: string): { name: string; rows: string[][] }[] {
  const files = csvFiles(dir);
  if (!files.length) throw new UserError(`${dir} : aucun fichier CSV dans ce dossier.`);
  return files.map((name) => {
    const file = path.join(dir, name);
    const size = fs.statSync(file).size;
    if (size > MAX_CSV_BYTES) throw new UserError(`${file} : fichier CSV trop gros (${size} octets).`);
    const bytes = fs.readFileSync(file);
    checkNotBinary(bytes, file);
    const { text } = decodeCsv(bytes);
    return { name: name.replace(/\.csv$/i, '').slice(0, 31), rows: parseCsv(text, file) };
  });
}

/**
 * Reads a folder holding one CSV per sheet (Fichier.csv, Commandes.csv…) as a workbook whose sheets carry
 * the CSV cells as text, written here as .xlsx bytes (csvWorkbookBytes). The rest of the pipeline treats it
 * like any workbook; its results workbook is the .xlsx built here, annotated.
 */
export function csvFolderBytes(dir: string): Promise<Buffer> {
  return csvWorkbookBytes(readCsvSheets(dir));
}
