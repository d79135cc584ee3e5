import { columnOf } from '../read/xml.js';
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
  /**
   * A few words on a demande's row that point at the one issue they come from (a fault of the file's
   * header sheet, reported once on its own cell): shown on the row, not listed again.
   */
  reference?: boolean;
  /** How many demandes an issue of the header sheet affects. */
  affects?: number;
}

/**
 * The few words a demande's row carries for the faults of the header sheet that block it (or another fault
 * reported once for the whole file): a reference, not listed again. Each fault counts the demandes it affects.
 */
export function blockedBy(faults: Issue[], d: { key: string; main: { sheet: string; row: number } }): Issue {
  const cells = faults.map((i) => `${i.column ?? ''}${i.row ?? ''}`).join(', ');
  const codes = [...new Set(faults.map((i) => i.code))].join(', ');
  const issue = makeIssue('ENTETE_BLOQUANTE', { file: faults[0].file, sheet: d.main.sheet, row: d.main.row, demande: d.key }, { sheet: faults[0].sheet, cells, codes });
  issue.reference = true;
  return issue;
}

/** The issues a listing shows (console, Synthèse, --json): each fault once, without its references. */
export function listed(issues: Issue[]): Issue[] {
  return issues.filter((i) => !i.reference);
}

/**
 * Sorts issues in place: by file (in the given order), sheet (in the given order of sheet names), row, then
 * column; issues without a place keep their order after those of their file.
 */
export function sortIssues(issues: Issue[], files: string[], sheets: string[]): void {
  const fileRank = new Map(files.map((f, i) => [f, i]));
  const sheetRank = new Map(sheets.map((s, i) => [s, i]));
  const col = (c?: string) => (c ? columnOf(c) : 0);
  const keyed = issues.map((i, n) => ({ i, n }));
  keyed.sort(
    (a, b) =>
      (fileRank.get(a.i.file) ?? 0) - (fileRank.get(b.i.file) ?? 0) ||
      (sheetRank.get(a.i.sheet ?? '') ?? 1e9) - (sheetRank.get(b.i.sheet ?? '') ?? 1e9) ||
      (a.i.row ?? 1e9) - (b.i.row ?? 1e9) ||
      col(a.i.column) - col(b.i.column) ||
      a.n - b.n,
  );
  keyed.forEach((k, n) => (issues[n] = k.i));
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
