import type { ColumnSpec } from '../mapping/schema.js';
import type { IssueCode } from '../issues/catalogue.js';
import { CellError, showScalar, type CellScalar } from '../read/cell.js';
import type { RawCell } from '../read/sheet.js';
import { Amount, type FieldValue } from './types.js';
import { exportedCell } from './csv-cell.js';

export interface Problem {
  code: IssueCode;
  params: Record<string, unknown>;
}

export interface Parsed {
  value: FieldValue;
  /** Set when the cell cannot be read as its type: the value is then null. */
  error?: Problem;
  warnings: Problem[];
}

export interface ParseContext {
  /** Lists of codes, by name (operateurMessagerie…). */
  codeLists: Record<string, { codes: Set<string> }>;
}

/** The accepted answers, in any case: OUI/NON, VRAI/FAUX, TRUE/FALSE, 1/0. Anything else is refused. */
const TRUE_WORDS = new Set(['oui', 'vrai', 'true', '1']);
const FALSE_WORDS = new Set(['non', 'faux', 'false', '0']);

function ok(value: FieldValue, warnings: Problem[] = []): Parsed {
  return { value, warnings };
}
function fail(code: IssueCode, params: Record<string, unknown>): Parsed {
  return { value: null, error: { code, params }, warnings: [] };
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** Days since 1899-12-30 (Excel's 1900 system) → JJ/MM/AAAA; no time zone involved. */
export function serialToDate(serial: number): string | null {
  if (!Number.isFinite(serial) || serial < 1) return null;
  const d = new Date(Date.UTC(1899, 11, 30) + Math.floor(serial + 1e-9) * 86400000);
  return `${pad2(d.getUTCDate())}/${pad2(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
}

function validDate(day: number, month: number, year: number): string | null {
  if (year < 1900 || year > 2999 || month < 1 || month > 12 || day < 1) return null;
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCDate() !== day || d.getUTCMonth() !== month - 1) return null;
  return `${pad2(day)}/${pad2(month)}/${year}`;
}

export function parseDate(v: CellScalar, date1904 = false): string | null {
  if (v instanceof Date) {
    // exceljs builds dates at UTC midnight from the serial: read them in UTC, never in local time.
    // The day is the whole part of the serial, as Excel displays it: a time of day is dropped, even
    // 23:59:59.999 (readers round the serial to the millisecond, so a serial stored just below midnight
    // through floating point is already midnight).
    const d = new Date(Math.floor(v.getTime() / 86400000) * 86400000);
    return validDate(d.getUTCDate(), d.getUTCMonth() + 1, d.getUTCFullYear());
  }
  if (typeof v === 'number') return serialToDate(date1904 ? v + 1462 : v);
  if (typeof v !== 'string') return null;
  let m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(v);
  if (m) return validDate(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]00:00(?::00(?:\.0+)?)?Z?)?$/.exec(v);
  if (m) return validDate(Number(m[3]), Number(m[2]), Number(m[1]));
  return null;
}

/** Parses an amount without ever rounding: Excel numbers, "27 450,00", "27450,00 €", "27450.5". */
export function parseAmount(v: CellScalar): { amount?: Amount; tooPrecise?: boolean } {
  let text: string;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return {};
    // The shortest decimal text that reads back as this double (what the user typed), exponent expanded.
    text = plainDecimal(String(v));
  } else if (typeof v === 'string') {
    text = v
      .replace(/[\s\u00a0\u202f]/g, '')
      .replace(/(€|EUR|euros?)$/i, '')
      .replace(/^€/, '');
    const lastComma = text.lastIndexOf(',');
    const lastDot = text.lastIndexOf('.');
    if (lastComma >= 0 && lastDot >= 0) {
      const dec = Math.max(lastComma, lastDot);
      const thousands = dec === lastComma ? '.' : ',';
      text = text.split(thousands).join('');
      text = text.replace(',', '.');
    } else if (lastComma >= 0) {
      if (text.indexOf(',') !== lastComma) return {};
      text = text.replace(',', '.');
    }
  } else return {};
  const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(text);
  if (!m) return {};
  const decimals = (m[3] ?? '').replace(/0+$/, '');
  if (decimals.length > 2) return { tooPrecise: true };
  const cents = BigInt(m[2]) * 100n + BigInt((decimals + '00').slice(0, 2));
  return { amount: new Amount(m[1] === '-' ? -cents : cents) };
}

/** "1.5e-7" → "0.00000015", "1e+21" → "1000000000000000000000": the same number, every digit written. */
export function plainDecimal(text: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]?\d+)$/i.exec(text);
  if (!m) return text;
  const digits = m[2] + (m[3] ?? '');
  const point = m[2].length + Number(m[4]);
  const whole = point <= 0 ? '0' : digits.slice(0, point).padEnd(point, '0');
  const frac = point <= 0 ? '0'.repeat(-point) + digits : digits.slice(point);
  return `${m[1]}${whole.replace(/^0+(?=\d)/, '')}${frac.replace(/0+$/, '') ? '.' + frac.replace(/0+$/, '') : ''}`;
}

export function parseBoolean(v: CellScalar): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v === 1 ? true : v === 0 ? false : undefined;
  if (typeof v === 'string') {
    const w = v.trim().toLowerCase();
    if (TRUE_WORDS.has(w)) return true;
    if (FALSE_WORDS.has(w)) return false;
  }
  return undefined;
}

function isScientificFormat(numFmt: string | undefined): boolean {
  return Boolean(numFmt && /E[+-]/i.test(numFmt));
}

/** Text of a cell for a text column; numbers stored for identifiers are checked and padded. */
function textOf(cell: RawCell, col: ColumnSpec, warnings: Problem[]): { text?: string; error?: Problem } {
  const v = cell.value;
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || !Number.isSafeInteger(v) || isScientificFormat(cell.numFmt)) {
      if (col.pattern || col.padDigits) {
        return { error: { code: 'NOMBRE_IMPRECIS', params: { value: cell.shown ?? String(v) } } };
      }
      return { text: String(v) };
    }
    let text = String(v);
    if (col.padDigits && text.length < col.padDigits && v >= 0) {
      const fixed = text.padStart(col.padDigits, '0');
      // Only a number one or a few digits short is plausibly a lost leading zero.
      if (col.padDigits - text.length <= (col.padDigits >= 9 ? 1 : col.padDigits - 1)) {
        warnings.push({ code: 'IDENTIFIANT_COMPLETE', params: { value: text, fixed } });
        text = fixed;
      }
    }
    return { text };
  }
  if (typeof v === 'boolean') return { text: v ? 'VRAI' : 'FAUX' };
  if (v instanceof Date) return { text: showScalar(v) };
  return { text: String(v) };
}

/** Control characters (tab, line feed and carriage return apart), NUL and lone surrogates. */
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const BREAKS = /[\t\r\n]+/g;

/** A text that cannot go to the JSON as it is: its first forbidden character, as U+XXXX. */
function forbiddenIn(text: string): string | undefined {
  const m = FORBIDDEN.exec(text);
  return m ? `U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` : undefined;
}

/** A text column's value: one text, or the list of a multiple column. */
function parseText(cell: RawCell, col: ColumnSpec): Parsed {
  const warnings: Problem[] = [];
  const v = cell.value;
  const bad = typeof v === 'string' ? forbiddenIn(v) : undefined;
  if (bad) return fail('CARACTERE_INTERDIT', { value: showControls(String(v)), char: bad });
  if (col.multiple && typeof v !== 'number') {
    const parts = String(v)
      .split(/[;\n\r]+/)
      .map((p) => p.replace(/[\u00a0\u202f]/g, ' ').trim())
      .filter(Boolean);
    return ok(parts.length ? parts : null);
  }
  const t = textOf(cell, col, warnings);
  if (t.error) return { value: null, error: t.error, warnings };
  let text = t.text!;
  // A tab or a line break in a one-line text becomes a space: the JSON keeps one line, the user is told.
  if (/[\t\r\n]/.test(text)) {
    const fixed = text.replace(BREAKS, ' ').trim();
    warnings.push({ code: 'TEXTE_SUR_UNE_LIGNE', params: { value: showControls(text), fixed } });
    text = fixed;
  }
  return ok(col.multiple ? [text] : text, warnings);
}

/** A text with its invisible characters shown (⇥ for a tab, ↵ for a line break, U+XXXX for the others). */
function showControls(text: string): string {
  return text.replace(/\t/g, '⇥').replace(/\r?\n|\r/g, '↵').replace(new RegExp(FORBIDDEN.source, 'g'), (c) => `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
}

export interface ParseOptions {
  /** The workbook counts its dates from 1904. */
  date1904?: boolean;
  /** The cell comes from a CSV file: its text is read as the cell it was exported from (values/csv-cell.ts). */
  csv?: boolean;
}

/**
 * Reads one cell as the type its column declares. Constraints (length, pattern, e-mail…) are checked
 * afterwards by the column schemas; this only turns cell content into a typed value.
 */
export function parseCell(given: RawCell | undefined, col: ColumnSpec, ctx: ParseContext, opts: ParseOptions = {}): Parsed {
  const cell = given && opts.csv ? exportedCell(given, col) : given;
  const v = cell?.value ?? null;
  if (v === null) return ok(null);
  if (v instanceof CellError) return fail('CELLULE_EN_ERREUR', { value: v.text });
  const shown = cell!.shown ?? showScalar(v);
  switch (col.type) {
    case 'text':
      return parseText(cell!, col);
    case 'date': {
      const d = parseDate(v, opts.date1904);
      return d ? ok(d) : fail('DATE_INVALIDE', { value: shown });
    }
    case 'amount': {
      const a = parseAmount(v);
      if (a.tooPrecise) return fail('MONTANT_DECIMALES', { value: shown });
      if (!a.amount) return fail('MONTANT_INVALIDE', { value: shown });
      return ok(a.amount);
    }
    case 'boolean': {
      const b = parseBoolean(v);
      return b === undefined ? fail('BOOLEEN_INVALIDE', { value: shown }) : ok(b);
    }
    case 'enum': {
      const w = String(v).trim().toUpperCase().replace(/\s+/g, '_');
      const aliased = col.aliases?.[w] ?? w;
      const hit = col.values!.find((x) => x.toUpperCase() === aliased);
      return hit ? ok(hit) : fail('VALEUR_HORS_LISTE', { value: shown, allowed: col.values!.join(', ') });
    }
    case 'code': {
      const list = ctx.codeLists[col.list!];
      const text = String(v);
      // The dropdown offers "CODE — libellé": keep the code.
      const code = text.split(/\s+—\s+/)[0].trim();
      if (list?.codes.has(code)) return ok(code);
      const upper = code.toUpperCase();
      for (const c of list?.codes ?? []) if (c.toUpperCase() === upper) return ok(c);
      return fail('CODE_INCONNU', { value: shown });
    }
  }
}
