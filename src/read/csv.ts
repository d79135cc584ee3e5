import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import iconv from 'iconv-lite';
import { UserError } from '../util/errors.js';

/** Largest CSV file read (a sheet of demandes is far smaller). */
const MAX_CSV_BYTES = 200 * 1024 * 1024;

/**
 * Decodes a CSV file: UTF-8 with or without BOM, else Windows-1252 (French Excel's "CSV (séparateur:
 * point-virgule)" export). A file that is not valid UTF-8 is read as Windows-1252.
 */
export function decodeCsv(bytes: Buffer): { text: string; encoding: 'utf-8' | 'windows-1252' } {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: bytes.subarray(3).toString('utf8'), encoding: 'utf-8' };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: iconv.decode(bytes, 'win1252'), encoding: 'windows-1252' };
  }
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

/**
 * Reads a folder holding one CSV per sheet (Fichier.csv, Commandes.csv…) as a workbook whose sheets carry
 * the CSV cells as text. The rest of the pipeline treats it like any workbook; its results workbook is the
 * .xlsx built here, annotated.
 */
export function readCsvFolder(dir: string): ExcelJS.Workbook {
  const wb = new ExcelJS.Workbook();
  const files = csvFiles(dir);
  if (!files.length) throw new UserError(`${dir} : aucun fichier CSV dans ce dossier.`);
  for (const name of files) {
    const file = path.join(dir, name);
    const size = fs.statSync(file).size;
    if (size > MAX_CSV_BYTES) throw new UserError(`${file} : fichier CSV trop gros (${size} octets).`);
    const { text } = decodeCsv(fs.readFileSync(file));
    const rows = parseCsv(text, file);
    const ws = wb.addWorksheet(name.replace(/\.csv$/i, '').slice(0, 31));
    rows.forEach((cells, i) => {
      if (cells.every((c) => c.trim() === '')) return;
      const row = ws.getRow(i + 1);
      cells.forEach((c, j) => {
        if (c !== '') row.getCell(j + 1).value = c;
      });
    });
  }
  return wb;
}
