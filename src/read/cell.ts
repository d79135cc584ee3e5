import type ExcelJS from 'exceljs';

/** A formula error shown in a cell (#N/A, #REF!…). */
export class CellError {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type CellScalar = string | number | boolean | Date | CellError | null;

/**
 * Reduces any exceljs cell value to a plain scalar: rich text and hyperlinks become their text,
 * formulas their cached result. Strings lose surrounding spaces, including non-breaking ones.
 */
export function cellScalar(value: ExcelJS.CellValue | undefined): CellScalar {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return cleanText(value);
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof Date) return value;
  if (typeof value === 'object') {
    const v = value as unknown as Record<string, unknown>;
    if (Array.isArray(v.richText)) {
      return cleanText((v.richText as { text?: string }[]).map((r) => r.text ?? '').join(''));
    }
    if ('error' in v && typeof v.error === 'string') return new CellError(v.error);
    if ('formula' in v || 'sharedFormula' in v) {
      return cellScalar(v.result as ExcelJS.CellValue);
    }
    if ('text' in v) {
      return cellScalar(v.text as ExcelJS.CellValue);
    }
  }
  return cleanText(String(value));
}

const ODD_SPACES = /[\u00a0\u202f\u2007\ufeff]/;
const ODD_SPACES_ALL = /[\u00a0\u202f\u2007\ufeff]/g;

export function cleanText(s: string): string | null {
  // trim() removes what /^\s+|\s+$/ does (white space and line terminators); most texts have no odd space.
  const t = (ODD_SPACES.test(s) ? s.replace(ODD_SPACES_ALL, ' ') : s).trim();
  return t === '' ? null : t.length < SLICED_FROM ? t : ownCopy(t);
}

/** V8 makes a substring of this length or more a view on the string it was cut from. */
const SLICED_FROM = 13;

/**
 * The text as a string of its own. A cell's text is cut from the sheet's XML, read in windows of megabytes:
 * kept as a view, each value would keep its whole window alive, and a big workbook's XML would stay in
 * memory to the end (more than 100 MB at 50 000 demandes). Prefixing makes a new string, which slice() then
 * views: it holds this text and one character more.
 */
function ownCopy(t: string): string {
  return (' ' + t).slice(1);
}

/** Display form of a scalar for messages. */
export function showScalar(v: CellScalar): string {
  if (v === null) return '';
  if (v instanceof Date) {
    const p = (n: number) => String(n).padStart(2, '0');
    return `${p(v.getUTCDate())}/${p(v.getUTCMonth() + 1)}/${v.getUTCFullYear()}`;
  }
  return String(v);
}
