import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { expect } from 'vitest';
import { cli, colOf, demandeRows, merge, noteOf, readXlsx, tmpDir, writeWorkbook, type SheetRows } from './helpers.js';
import { columnLetter } from '../src/issues/issues.js';
import type { RowData } from '../src/template/fill.js';

/**
 * Helpers for test/rules.test.ts: many independent demandes in one workbook, one CLI run per group, then
 * assertions on the --json report, the JSON files and the results workbook.
 */

export const RED = 'FFFFC7CE';
export const ORANGE = 'FFFFEB9C';

export interface ReportIssue {
  code: string;
  severity: 'erreur' | 'avertissement';
  file: string;
  sheet?: string;
  row?: number;
  column?: string;
  field?: string;
  demande: string | null;
  message: string;
}

/** A demande built from the valid default (demandeRows) with overrides, extra rows, or sheets emptied. */
export function demande(
  num: string,
  over: Parameters<typeof demandeRows>[1] = {},
  opts: { extra?: SheetRows; without?: string[] } = {},
): SheetRows {
  const rows = demandeRows(num, over) as SheetRows;
  for (const s of opts.without ?? []) rows[s] = [];
  return opts.extra ? merge(rows, opts.extra) : rows;
}

/** A full FINESS row (a second structure juridique by default). */
export function finess(num: string, over: RowData = {}): RowData {
  return {
    numeroEditeur: num,
    numeroFINESSJuridique: '690000017',
    nomClient: 'LABO DE LA SAONE',
    emailClient: 'direction@labo-saone.fr',
    telephoneClient: '04 72 00 00 00',
    numeroFINESSGeos: '690000025',
    ...over,
  };
}

export function pj(num: string, typeFichier: string, formatFichier = 'PDF', nomFichier: string | null = null): RowData {
  return { numeroEditeur: num, typeFichier, formatFichier, nomFichier };
}

/** An e-mail address of exactly n characters (n ≥ 90). */
export function emailOfLength(n: number): string {
  const domain = `@${'b'.repeat(40)}.${'c'.repeat(40)}.fr`;
  return 'a'.repeat(n - domain.length) + domain;
}

export interface Book {
  name: string;
  rows: SheetRows;
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  out: string;
  report: any;
  issues: ReportIssue[];
  books: Book[];
  paths: Record<string, string>;
  /** Column letter of a field in a sheet of the (template-built) input workbooks. */
  letter(sheet: string, field: string): string;
  /** Data row number of the nth row of a demande in a sheet of a book (first book by default). */
  rowOf(sheet: string, num: unknown, nth?: number, book?: string): number;
  status(num: string, book?: string): string | undefined;
  issuesOf(num: string, book?: string): ReportIssue[];
  /** Sorted codes of the demande's issues of one severity (a fault of the header sheet that blocks it included). */
  codesOf(num: string, severity?: 'erreur' | 'avertissement', book?: string): string[];
  /** The JSON line written for a demande (searched in every JSON file), and its file's text. */
  line(num: string, numeroAns?: string): any;
  /** The text of montantSegurHT exactly as written in the file, for a demande. */
  rawAmount(num: string): string | undefined;
  jsonText(): string;
  results(book?: string): Promise<ExcelJS.Workbook>;
}

/** Writes the books, runs `convert --json` once on all of them, reads everything back. */
export async function runBooks(books: Book[], opts: { date?: string; args?: string[] } = {}): Promise<Run> {
  const dir = tmpDir('x2s-rules-');
  const paths: Record<string, string> = {};
  for (const b of books) paths[b.name] = await writeWorkbook(path.join(dir, `${b.name}.xlsx`), b.rows);
  const out = path.join(dir, 'out');
  const r = cli(['convert', ...books.map((b) => paths[b.name]), '-o', out, '--date', opts.date ?? '20261124', '--json', ...(opts.args ?? [])]);
  let report: any;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    throw new Error(`sortie --json illisible (code ${r.code}) :\n${r.stdout}\n${r.stderr}`);
  }
  const issues: ReportIssue[] = report.issues;
  // The JSON files to deposit, as the report lists them (the output folder may hold other files).
  const texts: string[] = report.jsonFiles.map((f: { path: string }) => fs.readFileSync(f.path, 'utf8'));
  const parsed = texts.map((t) => JSON.parse(t));

  // Column letters, from the header row of the first input workbook.
  const input = await readXlsx(paths[books[0].name]);
  const letters = new Map<string, string>();
  const letter = (sheet: string, field: string) => {
    const k = `${sheet}.${field}`;
    if (!letters.has(k)) letters.set(k, columnLetter(colOf(input.getWorksheet(sheet)!, `(${field})`)));
    return letters.get(k)!;
  };
  const bookOf = (name?: string) => books.find((b) => b.name === (name ?? books[0].name))!;
  const fileOf = (name?: string) => paths[bookOf(name).name];

  const run: Run = {
    code: r.code,
    stdout: r.stdout,
    stderr: r.stderr,
    out,
    report,
    issues,
    books,
    paths,
    letter,
    rowOf(sheet, num, nth = 0, book) {
      const rows = bookOf(book).rows[sheet] ?? [];
      let seen = 0;
      for (let i = 0; i < rows.length; i++) {
        if (rows[i].numeroEditeur === num && seen++ === nth) return i + 2;
      }
      throw new Error(`aucune ligne ${nth} de ${String(num)} dans ${sheet}`);
    },
    status(num, book) {
      return report.demandes.find((d: any) => d.numeroEditeur === num && d.file === fileOf(book))?.status;
    },
    issuesOf(num, book) {
      return issues.filter((i) => i.demande === num && i.file === fileOf(book));
    },
    codesOf(num, severity = 'erreur', book) {
      const d = report.demandes.find((x: any) => x.numeroEditeur === num && x.file === fileOf(book));
      const codes: string[] = d ? (severity === 'erreur' ? d.errors : d.warnings) : run.issuesOf(num, book).filter((i) => i.severity === severity).map((i) => i.code);
      return [...codes].sort();
    },
    line(num, numeroAns) {
      for (const j of parsed) {
        if (numeroAns && j.numeroAns !== numeroAns) continue;
        const l = j.lignesImport.find((x: any) => x.numeroEditeur === num);
        if (l) return l;
      }
      return undefined;
    },
    rawAmount(num) {
      for (const t of texts) {
        const m = new RegExp(`"numeroEditeur": "${num}",[\\s\\S]*?"montantSegurHT": ([^,\\n]+)`).exec(t);
        if (m) return m[1];
      }
      return undefined;
    },
    jsonText: () => texts.join('\n'),
    async results(book) {
      return readXlsx(path.join(out, `${bookOf(book).name}.resultats.xlsx`));
    },
  };
  return run;
}

/** Asserts one issue: its code, place (sheet, row, column letter of the field), demande and severity. */
export function expectIssue(
  run: Run,
  m: { code: string; sheet: string; row: number; field?: string; demande: string | null; severity?: 'erreur' | 'avertissement'; book?: string; message?: string },
): ReportIssue {
  const want = {
    code: m.code,
    sheet: m.sheet,
    row: m.row,
    column: m.field ? run.letter(m.sheet, m.field) : undefined,
    field: m.field,
    demande: m.demande,
    ...(m.severity ? { severity: m.severity } : {}),
    ...(m.book ? { file: run.paths[m.book] } : {}),
  };
  const found = run.issues.find((i) => Object.entries(want).every(([k, v]) => (i as any)[k] === v));
  if (!found) {
    const near = run.issues.filter((i) => i.demande === m.demande || (i.sheet === m.sheet && i.row === m.row));
    throw new Error(`problème attendu introuvable : ${JSON.stringify(want)}\nproblèmes proches :\n${JSON.stringify(near, null, 1)}`);
  }
  if (m.message) expect(found.message).toContain(m.message);
  return found;
}

/** An accepted demande, exported by the run: status, no error, and its JSON line. */
export function expectAccepted(run: Run, num: string, book?: string): any {
  expect(run.codesOf(num, 'erreur', book), `erreurs de ${num}`).toEqual([]);
  expect(run.status(num, book)).toBe('exportee');
  const l = run.line(num);
  expect(l, `ligne JSON de ${num}`).toBeDefined();
  return l;
}

/** A rejected demande: status, exactly these error codes (sorted), and no JSON line. */
export function expectRejected(run: Run, num: string, codes: string[], book?: string): void {
  expect(run.codesOf(num, 'erreur', book), `erreurs de ${num}`).toEqual([...codes].sort());
  expect(run.status(num, book)).toBe('rejetee');
}

/** The results workbook's cell of an issue: filled (red for errors), with a note carrying the message. */
export async function expectMarkedCell(run: Run, issue: ReportIssue, color = RED, book?: string): Promise<ExcelJS.Cell> {
  const wb = await run.results(book);
  const ws = wb.getWorksheet(issue.sheet!)!;
  const cell = ws.getCell(`${issue.column}${issue.row}`);
  expect((cell.fill as any)?.fgColor?.argb).toBe(color);
  expect(noteOf(cell)).toContain(issue.message);
  return cell;
}
