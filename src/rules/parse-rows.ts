import type { Mapping } from '../mapping/load.js';
import type { ColumnSpec, SheetSpec } from '../mapping/schema.js';
import { fold, type RawRow } from '../read/sheet.js';
import { cellOf, type SheetData } from '../mapping/sheet.js';
import { showScalar } from '../read/cell.js';
import { parseCell } from '../values/parse.js';
import { Amount, showValue, type FieldValue } from '../values/types.js';
import type { ParsedRow } from '../join/model.js';
import { columnLetter, makeIssue, type Issue } from '../issues/issues.js';
import type { IssueCode } from '../issues/catalogue.js';
import { checkText } from './columns.js';

export interface ValidateOptions {
  /** Day of deposit, JJ/MM/AAAA: dates may not be after it. */
  depositDate: string;
  date1904?: boolean;
  /** The sheets are CSV files: every cell is text, read as the cell it was exported from. */
  csv?: boolean;
}

const ASCII_NO_LOWER = /^[^a-z\u0080-\uffff]*$/;

export function toComparable(d: string): string {
  const [j, m, a] = d.split('/');
  return `${a}${m}${j}`;
}

type Report = (code: IssueCode, row: ParsedRow, field: string | undefined, params?: Record<string, unknown>, demande?: string) => Issue;

/** One workbook's checking: where its problems go, and how they are placed on their cells. */
export interface Checking {
  file: string;
  mapping: Mapping;
  sheets: Record<string, SheetData>;
  opts: ValidateOptions;
  issues: Issue[];
  place(row: ParsedRow, field: string | undefined, demande?: string): Parameters<typeof makeIssue>[1];
  report: Report;
  /** Withdraws the problems reported on a cell whose value is ignored; returns what the cell showed. */
  withdraw(row: ParsedRow, field: string): string;
}

function findColumn(mapping: Mapping, sheetName: string, field: string): ColumnSpec | undefined {
  const spec = mapping.sheets.find((s) => s.name === sheetName) ?? mapping.sheets.find((s) => fold(s.name) === fold(sheetName));
  return spec?.columns.find((c) => c.field === field);
}

export function checking(file: string, mapping: Mapping, sheets: Record<string, SheetData>, opts: ValidateOptions, issues: Issue[]): Checking {
  const place = (row: ParsedRow, field: string | undefined, demande?: string) => ({
    file,
    sheet: row.sheet,
    row: row.row,
    column: field && row.cols[field] ? columnLetter(row.cols[field]) : undefined,
    field,
    demande,
  });
  const report: Report = (code, row, field, params = {}, demande) => {
    const col = field ? findColumn(mapping, row.sheet, field) : undefined;
    const issue = makeIssue(code, place(row, field, demande), { label: col?.label, ...params });
    issues.push(issue);
    return issue;
  };
  const rawIndex = new Map<string, Map<number, RawRow>>();
  const rawRow = (sheet: string, n: number): RawRow | undefined => {
    let index = rawIndex.get(sheet);
    if (!index) rawIndex.set(sheet, (index = new Map(sheets[sheet].rows.map((r) => [r.row, r]))));
    return index.get(n);
  };
  const withdraw = (row: ParsedRow, field: string): string => {
    for (let k = issues.length - 1; k >= 0; k--) {
      const i = issues[k];
      if (i.sheet === row.sheet && i.row === row.row && i.field === field) issues.splice(k, 1);
    }
    (row as ParsedRow & { invalid?: Set<string> }).invalid?.delete(field);
    const spec = mapping.sheets.find((s) => sheets[s.name]?.actualName === row.sheet);
    const r = spec ? rawRow(spec.name, row.row) : undefined;
    const raw = spec && r ? cellOf(sheets[spec.name], r, field)?.value : undefined;
    return raw === undefined || raw === null ? showValue(row.values[field] ?? null) : showScalar(raw);
  };
  return { file, mapping, sheets, opts, issues, place, report, withdraw };
}

type Invalid = ParsedRow & { invalid?: Set<string> };

function markInvalid(row: ParsedRow, field: string): void {
  ((row as Invalid).invalid ??= new Set()).add(field);
}

/** A sheet's data rows, each cell parsed by its column's type and checked; problems reported on their cell. */
export function parseRows(run: Checking, spec: SheetSpec): ParsedRow[] {
  const { mapping, opts } = run;
  const key = mapping.joinKey;
  const data = run.sheets[spec.name];
  const out: ParsedRow[] = [];
  const cols: Record<string, number> = {};
  for (const [f, col] of data.columns) cols[f] = col;
  const kcol = spec.columns.find((c) => c.field === key);
  for (const raw of data.rows) {
    // One column map for all the rows of a sheet (nothing changes it).
    const row: ParsedRow = { sheet: data.actualName, row: raw.row, values: {}, cols };
    // The key first, so every problem of the row names its demande.
    const keyCell = cellOf(data, raw, key);
    // parseCell depends on date1904 for dates only: a text key's result serves again below.
    let keyParsed: ReturnType<typeof parseCell> | undefined;
    if (spec.role !== 'header' && keyCell && keyCell.value !== null) {
      keyParsed = parseCell(keyCell, kcol!, mapping, { csv: opts.csv });
      row.key = typeof keyParsed.value === 'string' ? keyParsed.value : String(keyCell.value);
    }
    for (const col of spec.columns) {
      const parsed = col === kcol && keyParsed && col.type !== 'date' ? keyParsed : parseCell(cellOf(data, raw, col.field), col, mapping, opts);
      for (const w of parsed.warnings) run.report(w.code, row, col.field, w.params, row.key);
      if (parsed.error) {
        run.report(parsed.error.code, row, col.field, parsed.error.params, row.key);
        row.values[col.field] = null;
        markInvalid(row, col.field);
        continue;
      }
      const value = upperCased(run, row, col, parsed.value);
      row.values[col.field] = value;
      if (!valueAccepted(run, row, col, value)) markInvalid(row, col.field);
    }
    out.push(row);
  }
  return out;
}

/** A column written in capitals: a value with lower-case letters is upper-cased, with a warning. */
function upperCased(run: Checking, row: ParsedRow, col: ColumnSpec, value: FieldValue): FieldValue {
  if (!col.upperCase || !(typeof value === 'string' || Array.isArray(value))) return value;
  // ASCII without a lower-case letter is its own upper case: the locale-aware call is slow.
  const up = (t: string) => (ASCII_NO_LOWER.test(t) ? t : t.toLocaleUpperCase('fr-FR'));
  const upper = typeof value === 'string' ? up(value) : value.map(up);
  const shown = (v: string | string[]) => (typeof v === 'string' ? v : v.join(' ; '));
  if (shown(upper) === shown(value)) return value;
  run.report('MAJUSCULES', row, col.field, { value: shown(value), fixed: shown(upper) }, row.key);
  return upper;
}

/** The checks of a parsed value: its text, an amount's bounds, a date not after the deposit. */
function valueAccepted(run: Checking, row: ParsedRow, col: ColumnSpec, value: FieldValue): boolean {
  let ok = true;
  const report = (code: IssueCode, params: Record<string, unknown>) => {
    run.report(code, row, col.field, params, row.key);
    ok = false;
  };
  const check = (t: string) => {
    for (const pr of checkText(col, t)) report(pr.code, pr.params);
  };
  if (typeof value === 'string') check(value);
  else if (Array.isArray(value)) for (const t of value) check(t);
  if (value instanceof Amount && value.cents <= 0n) report('MONTANT_NON_POSITIF', { value: value.display });
  if (value instanceof Amount && value.cents > Amount.MAX.cents) {
    report('MONTANT_TROP_GRAND', { value: value.display.length > 40 ? `${value.display.slice(0, 30)}… (${value.text.length - 3} chiffres)` : value.display, max: Amount.MAX.display });
  }
  const deposit = run.opts.depositDate;
  if (col.type === 'date' && typeof value === 'string' && col.notAfterDeposit && toComparable(value) > toComparable(deposit)) {
    report('DATE_FUTURE', { value, deposit });
  }
  return ok;
}
