import type { WorkbookResult } from '../rules/validate.js';
import type { Issue } from '../issues/issues.js';
import type { SheetData } from '../mapping/sheet.js';
import type { SheetSpec } from '../mapping/schema.js';
import type { Demande } from '../join/model.js';
import { columnOf } from '../read/xml.js';
import { statusOf, type Tone } from '../status/status.js';

export const STATUS_HEADER = 'Statut [xlsx2segur]';
export const PROBLEMS_HEADER = 'Problèmes [xlsx2segur]';
/** The ASP's dossier number of each demande, on the main sheet (solde --from reads it back). */
export const ASP_NUMBER_HEADER = 'Numéro ASP [xlsx2segur]';
export const SUMMARY_SHEET = 'Synthèse';
export const NOTE_PREFIX = 'xlsx2segur : ';
/** Between our note and the vendor's own note of the same cell, which is given back on the next run. */
export const NOTE_SEPARATOR = '\n———— note d\'origine ————\n';

export const RED = 'FFFFC7CE';
export const ORANGE = 'FFFFEB9C';
export const GREEN = 'FFC6EFCE';
/** Information: exported, waiting for the ASP. */
export const BLUE = 'FFDDEBF7';
export type Color = typeof RED | typeof ORANGE | typeof GREEN | typeof BLUE;
const TONE_COLORS: Record<Tone, Color> = { ok: GREEN, info: BLUE, bad: RED };

/** What the results workbook shows on one data row. */
export interface RowPlan {
  status: string;
  color: Color;
  /** The demande's dossier number at the ASP, on the main sheet (null: none known). */
  numeroASP: string | null;
  /** One line per problem (empty: no problem). */
  problems: string[];
  /** Height the row needs to show its problems, in points (0: as it is). */
  height: number;
  /** Faulty cells, by column number: their fill and note. */
  cells: Map<number, { color: Color; note: string }>;
  /** Cells given a new text (a renumbered demande), by column number. */
  values: Map<number, string>;
}

export interface SheetPlan {
  data: SheetData;
  /** The main sheet (one row a demande): it gets the ASP number column too. */
  main: boolean;
  rows: Map<number, RowPlan>;
}

export interface AnnotateOptions {
  /** true for "validate" and for refreshing a workbook: no JSON was written. */
  dryRun: boolean;
}

/** Shared by the rows without faulty cells, and those not renumbered: never changed. */
const NO_CELLS: RowPlan['cells'] = new Map();
const NO_ISSUES: Issue[] = [];
const NO_VALUES: RowPlan['values'] = new Map();

function bullet(i: Issue): string {
  return `${i.severity === 'erreur' ? '✗' : '⚠'} [${i.code}] ${i.message}`;
}

/** What each data row of each sheet read shows in the results workbook, by sheet name as in the workbook. */
export function planResults(result: WorkbookResult, opts: AnnotateOptions): { sheet(name: string): SheetPlan | undefined } {
  // Issues and demande of each row, by sheet then row number.
  const rowIssues = new Map<string, Map<number, Issue[]>>();
  for (const i of result.issues) {
    if (!i.sheet || !i.row) continue;
    let bySheet = rowIssues.get(i.sheet);
    if (!bySheet) rowIssues.set(i.sheet, (bySheet = new Map()));
    const list = bySheet.get(i.row);
    if (list) list.push(i);
    else bySheet.set(i.row, [i]);
  }
  const rowDemande = new Map<string, Map<number, Demande>>();
  const belongs = (r: { sheet: string; row: number }, d: Demande) => {
    let bySheet = rowDemande.get(r.sheet);
    if (!bySheet) rowDemande.set(r.sheet, (bySheet = new Map()));
    bySheet.set(r.row, d);
  };
  for (const d of result.demandes) {
    belongs(d.main, d);
    for (const name in d.details) for (const r of d.details[name]) belongs(r, d);
  }
  // A demande's status, once for all its rows: nothing changes it while the results workbook is written.
  const statuses = new Map<Demande, ReturnType<typeof statusOf>>();
  const statusOfDemande = (d: Demande) => {
    let s = statuses.get(d);
    if (!s) statuses.set(d, (s = statusOf(d, result.mapping.kind)));
    return s;
  };
  const planSheet = (spec: SheetSpec, data: SheetData): SheetPlan => {
    const rows = new Map<number, RowPlan>();
    const sheetIssues = rowIssues.get(data.actualName);
    const sheetDemandes = rowDemande.get(data.actualName);
    for (const raw of data.rows) {
      const issues = sheetIssues?.get(raw.row) ?? NO_ISSUES;
      const d = sheetDemandes?.get(raw.row);
      let status: string;
      let color: Color;
      let numeroASP: string | null = null;
      const hasError = issues.some((i) => i.severity === 'erreur');
      if (spec.role === 'header') {
        status = hasError ? 'Erreur : bloque toutes les demandes' : 'Valide';
        color = hasError ? RED : GREEN;
      } else if (d) {
        const s = statusOfDemande(d);
        status = s.label;
        color = TONE_COLORS[s.tone];
        if (spec.role === 'main') numeroASP = s.numeroASP ?? (typeof d.main.values.numeroASP === 'string' ? d.main.values.numeroASP : null);
      } else {
        status = hasError ? 'Rejetée : ligne rattachée à aucune demande' : 'Ignorée';
        color = RED;
      }
      const problems = issues.map(bullet);
      if (d && d.verdict === 'rejetee' && !hasError && spec.role !== 'main') {
        problems.push(`Demande ${d.key} rejetée : voir la feuille « ${d.main.sheet} », ligne ${d.main.row}.`);
      }
      if (!hasError && issues.length && color === GREEN) color = ORANGE;
      // Spreadsheets do not grow a row for wrapped text on opening: give it the height of its problems.
      const textLines = problems.reduce((n, l) => n + Math.max(1, Math.ceil(l.length / 90)), 0);
      const cells = issues.length ? new Map<number, { color: Color; note: string }>() : NO_CELLS;
      const byCol = new Map<string, Issue[]>();
      for (const i of issues) {
        if (!i.column) continue;
        const list = byCol.get(i.column);
        if (list) list.push(i);
        else byCol.set(i.column, [i]);
      }
      for (const [col, list] of byCol) {
        cells.set(columnOf(col), {
          color: list.some((i) => i.severity === 'erreur') ? RED : ORANGE,
          note: NOTE_PREFIX + list.map((i) => i.message).join('\n'),
        });
      }
      rows.set(raw.row, { status, color, numeroASP, problems, height: textLines > 1 ? textLines * 15 : 0, cells, values: NO_VALUES });
    }
    // A renumbered demande carries its new number in every row, and PJ names built on it follow.
    const key = result.mapping.joinKey;
    for (const d of result.demandes) {
      if (!d.renumbered) continue;
      for (const r of [d.main, ...Object.values(d.details).flat()]) {
        const plan = r.sheet === data.actualName ? rows.get(r.row) : undefined;
        if (!plan) continue;
        if (plan.values === NO_VALUES) plan.values = new Map();
        if (r.cols[key]) plan.values.set(r.cols[key], d.key);
        // The journal's check already gave the PJ names their new number (journal/guard.ts).
        const name = r.values.nomFichier;
        if (r.cols.nomFichier && typeof name === 'string' && name.includes(`-${d.key}.`)) plan.values.set(r.cols.nomFichier, name);
      }
    }
    return { data, rows, main: spec.role === 'main' };
  };
  // Each sheet's plan is made when it is asked for, so that only one sheet's texts are held at a time.
  return {
    sheet(name: string): SheetPlan | undefined {
      const spec = result.mapping.sheets.find((s) => result.sheets[s.name]?.actualName === name);
      const data = spec ? result.sheets[spec.name] : undefined;
      return spec && data?.headerRow ? planSheet(spec, data) : undefined;
    },
  };
}
