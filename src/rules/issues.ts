import { catalogue, renderMessage, type IssueCode, type Severity } from './catalogue.js';

/** Where a problem is: the file, and when known its sheet, row, column, field and demande. */
export interface IssuePlace {
  file: string;
  sheet?: string;
  row?: number;
  /** Column letter, e.g. "C". */
  column?: string;
  field?: string;
  /** numeroEditeur of the demande it concerns, when known. */
  demande?: string;
}

/** One problem found in the input, with its place. */
export interface Issue extends IssuePlace {
  code: IssueCode;
  severity: Severity;
  message: string;
}

export function makeIssue(code: IssueCode, place: IssuePlace, params: Record<string, unknown> = {}): Issue {
  return {
    code,
    severity: catalogue[code].severity,
    message: renderMessage(code, { ...params, field: params.field ?? place.field, sheet: params.sheet ?? place.sheet }),
    ...place,
  };
}

export function columnLetter(col: number): string {
  let s = '';
  let n = col;
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

/** "Feuille « Commandes », ligne 3, colonne B" */
export function describePlace(i: { sheet?: string; row?: number; column?: string }): string {
  const parts: string[] = [];
  if (i.sheet) parts.push(`feuille « ${i.sheet} »`);
  if (i.row) parts.push(`ligne ${i.row}`);
  if (i.column) parts.push(`colonne ${i.column}`);
  return parts.join(', ');
}
