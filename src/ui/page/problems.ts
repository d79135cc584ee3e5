import { h, replace, saveText, plural } from './dom.js';
import type { IssueRow } from './types.js';

/**
 * A cell as Excel writes it in a formula: `Commandes!D12`, the sheet quoted when its name is not a plain
 * word (`'Mes commandes'!D12`, apostrophes doubled); a whole row when no column is known (`Fichier!3:3`).
 */
export function excelRef(i: { sheet?: string; row?: number; column?: string }): string {
  if (!i.sheet) return '';
  const sheet = /^[\p{L}_][\p{L}\p{N}_.]*$/u.test(i.sheet) && !/^[A-Za-z]{1,3}\d+$/.test(i.sheet) ? i.sheet : `'${i.sheet.replace(/'/g, "''")}'`;
  if (i.row && i.column) return `${sheet}!${i.column}${i.row}`;
  if (i.row) return `${sheet}!${i.row}:${i.row}`;
  if (i.column) return `${sheet}!${i.column}:${i.column}`;
  return sheet;
}

const colNumber = (c?: string) => (c ? [...c.toUpperCase()].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) : 0);

interface Column {
  key: string;
  title: string;
  value: (i: IssueRow) => string;
  compare: (a: IssueRow, b: IssueRow) => number;
}

const byText = (f: (i: IssueRow) => string) => (a: IssueRow, b: IssueRow) => f(a).localeCompare(f(b), 'fr', { numeric: true });
/** The order of the commands' listings: workbook, sheet, row, column. */
const byPlace = (a: IssueRow, b: IssueRow) => (a.sheet ?? '').localeCompare(b.sheet ?? '', 'fr') || (a.row ?? 1e9) - (b.row ?? 1e9) || colNumber(a.column) - colNumber(b.column);
const severityLabel = (i: IssueRow) => (i.severity === 'erreur' ? 'Erreur' : 'Avertissement');

const COLUMNS: Column[] = [
  { key: 'classeur', title: 'Classeur', value: (i) => i.file, compare: byText((i) => i.file) },
  { key: 'cellule', title: 'Cellule', value: excelRef, compare: byPlace },
  { key: 'demande', title: 'Demande', value: (i) => i.demande ?? '', compare: byText((i) => i.demande ?? '') },
  { key: 'gravite', title: 'Gravité', value: severityLabel, compare: byText(severityLabel) },
  { key: 'code', title: 'Code', value: (i) => i.code, compare: byText((i) => i.code) },
  { key: 'message', title: 'Message', value: (i) => i.message + (i.affects ? ` (${plural(i.affects, 'demande concernée', 'demandes concernées')})` : ''), compare: byText((i) => i.message) },
];

/** The problems table: sortable by each column (a button in its title), filtered to errors, saved as CSV. */
export class ProblemsTable {
  private issues: IssueRow[] = [];
  /** Sorted by the command's own order (index) until a title is clicked. */
  private sort: { key: string; dir: 1 | -1 } | null = null;

  constructor(
    private table: HTMLTableElement,
    private errorsOnly: HTMLInputElement,
    private csvButton: HTMLButtonElement,
    private count: HTMLElement,
  ) {
    errorsOnly.addEventListener('change', () => this.render());
    csvButton.addEventListener('click', () => this.saveCsv());
    this.renderHead();
  }

  set(issues: IssueRow[]): void {
    this.issues = issues;
    this.render();
  }

  private shown(): IssueRow[] {
    const list = this.issues.map((i, n) => ({ i, n })).filter(({ i }) => !this.errorsOnly.checked || i.severity === 'erreur');
    const s = this.sort;
    if (s) {
      const col = COLUMNS.find((c) => c.key === s.key)!;
      list.sort((a, b) => s.dir * col.compare(a.i, b.i) || a.n - b.n);
    }
    return list.map((x) => x.i);
  }

  private renderHead(): void {
    const row = this.table.tHead!.rows[0];
    replace(
      row,
      COLUMNS.map((c) => {
        const active = this.sort?.key === c.key;
        const dir = active ? (this.sort!.dir === 1 ? 'ascending' : 'descending') : undefined;
        return h(
          'th',
          { scope: 'col', 'aria-sort': dir ?? 'none' },
          h(
            'button',
            {
              type: 'button',
              class: 'tri',
              'data-col': c.key,
              'aria-label': `${c.title} : trier ${active && this.sort!.dir === 1 ? 'en ordre décroissant' : 'en ordre croissant'}`,
              onclick: () => {
                this.sort = { key: c.key, dir: active && this.sort!.dir === 1 ? -1 : 1 };
                this.renderHead();
                this.render();
                (this.table.querySelector(`button[data-col="${c.key}"]`) as HTMLButtonElement | null)?.focus();
              },
            },
            c.title,
            h('span', { 'aria-hidden': 'true', class: 'fleche' }, active ? (this.sort!.dir === 1 ? ' ▲' : ' ▼') : ''),
          ),
        );
      }),
    );
  }

  private render(): void {
    const rows = this.shown();
    replace(
      this.table.tBodies[0],
      rows.length
        ? rows.map((i) => h('tr', { class: i.severity === 'erreur' ? 'erreur' : 'avert' }, COLUMNS.map((c) => h('td', { 'data-col': c.key }, c.value(i)))))
        : h('tr', {}, h('td', { colspan: COLUMNS.length, class: 'vide' }, this.issues.length ? 'Aucune erreur : seulement des avertissements.' : 'Aucun problème.')),
    );
    const errors = this.issues.filter((i) => i.severity === 'erreur').length;
    this.count.textContent = `${plural(errors, 'erreur', 'erreurs')}, ${plural(this.issues.length - errors, 'avertissement', 'avertissements')}${rows.length !== this.issues.length ? ` ; ${rows.length} affichés` : ''}.`;
    this.csvButton.disabled = rows.length === 0;
  }

  /** The rows shown, as Excel in French opens a CSV: semicolons, UTF-8 with its byte order mark, CRLF. */
  private saveCsv(): void {
    // A text that begins like a formula stays a text in Excel (an apostrophe before it).
    const cell = (raw: string) => {
      const v = /^[=+\-@\t\r]/.test(raw) ? `'${raw}` : raw;
      return /[";\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
    };
    const lines = [COLUMNS.map((c) => c.title), ...this.shown().map((i) => COLUMNS.map((c) => c.value(i)))].map((l) => l.map(cell).join(';'));
    saveText('problemes.csv', '\uFEFF' + lines.join('\r\n') + '\r\n', 'text/csv;charset=utf-8');
  }
}
