import type ExcelJS from 'exceljs';
import type { WorkbookResult } from '../rules/validate.js';
import { findWorksheet } from '../rules/validate.js';
import type { Issue } from '../rules/issues.js';
import type { WrittenFile } from '../emit/files.js';
import type { Demande } from '../join/model.js';

export const STATUS_HEADER = 'Statut [xlsx2segur]';
export const PROBLEMS_HEADER = 'Problèmes [xlsx2segur]';
export const SUMMARY_SHEET = 'Synthèse';
const NOTE_PREFIX = 'xlsx2segur : ';

const RED = 'FFFFC7CE';
const ORANGE = 'FFFFEB9C';
const GREEN = 'FFC6EFCE';

function fill(argb: string): ExcelJS.Fill {
  return { type: 'pattern', pattern: 'solid', fgColor: { argb } };
}

/**
 * The fills and the alignment put on every data row: one object each, shared by all the cells they go to
 * (never modified), so that writing the workbook finds their style at once instead of once per cell.
 */
const FILLS: Record<string, ExcelJS.Fill> = { [RED]: fill(RED), [ORANGE]: fill(ORANGE), [GREEN]: fill(GREEN) };
const PROBLEMS_ALIGNMENT: Partial<ExcelJS.Alignment> = { wrapText: true, vertical: 'top' };
const NO_ISSUES: Issue[] = [];

function noteText(cell: ExcelJS.Cell): string | undefined {
  const n = cell.note as unknown;
  if (!n) return undefined;
  if (typeof n === 'string') return n;
  const texts = (n as { texts?: { text: string }[] }).texts;
  return texts?.map((t) => t.text).join('');
}

/** Removes the marks of an earlier run (our notes and the fills that went with them). */
function clearOldMarks(ws: ExcelJS.Worksheet) {
  ws.eachRow((row) => {
    row.eachCell((cell) => {
      const t = noteText(cell);
      if (t && t.startsWith(NOTE_PREFIX.trim())) {
        // exceljs keeps a loaded note both on the cell and in its value's model: drop both.
        const c = cell as unknown as { _comment?: unknown; _value?: { model?: { comment?: unknown } } };
        c._comment = undefined;
        if (c._value?.model) delete c._value.model.comment;
        cell.fill = { type: 'pattern', pattern: 'none' };
      }
    });
  });
}

/** The column of our own header `title` in the header row, added after the last column when absent. */
export function findOrAddColumn(ws: ExcelJS.Worksheet, headerRow: number, title: string, width = 36): number {
  const row = ws.getRow(headerRow);
  let last = 0;
  let found = 0;
  row.eachCell({ includeEmpty: false }, (cell, col) => {
    if (typeof cell.value === 'string' && cell.value.trim() === title) found = col;
    last = Math.max(last, col);
  });
  if (found) return found;
  const col = Math.max(last, ws.columnCount) + 1;
  const cell = row.getCell(col);
  cell.value = title;
  cell.font = { bold: true };
  ws.getColumn(col).width = width;
  return col;
}

function bullet(i: Issue): string {
  return `${i.severity === 'erreur' ? '✗' : '⚠'} [${i.code}] ${i.message}`;
}

export interface AnnotateOptions {
  /** true for "validate": no JSON was written. */
  dryRun: boolean;
  files: WrittenFile[];
}

/**
 * Turns the input workbook (already loaded, never written back) into the results workbook: status and
 * problems on each data row, faulty cells filled with a note, and a Synthèse sheet.
 */
export function annotate(wb: ExcelJS.Workbook, result: WorkbookResult, opts: AnnotateOptions): void {
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
  for (const spec of result.mapping.sheets) {
    const data = result.sheets[spec.name];
    if (!data?.headerRow) continue;
    const ws = findWorksheet(wb, data.actualName);
    if (!ws) continue;
    clearOldMarks(ws);
    renumberCells(ws, result, data.actualName);
    const statusCol = findOrAddColumn(ws, data.headerRow, STATUS_HEADER);
    const problemsCol = findOrAddColumn(ws, data.headerRow, PROBLEMS_HEADER, 80);
    const sheetIssues = rowIssues.get(data.actualName);
    const sheetDemandes = rowDemande.get(data.actualName);
    for (const raw of data.rows) {
      const issues = sheetIssues?.get(raw.row) ?? NO_ISSUES;
      const d = sheetDemandes?.get(raw.row);
      const row = ws.getRow(raw.row);
      let status: string;
      let color: string;
      const hasError = issues.some((i) => i.severity === 'erreur');
      if (spec.role === 'header') {
        status = hasError ? 'Erreur : bloque toutes les demandes' : 'Valide';
        color = hasError ? RED : GREEN;
      } else if (d) {
        if (d.status === 'acceptee') {
          status = d.output ? `Acceptée : ${d.output.file}, ligne ${d.output.numLigne}` : opts.dryRun ? 'Valide (non exportée : validation seule)' : 'Acceptée';
          color = GREEN;
        } else {
          status = `Rejetée (demande ${d.key})`;
          color = RED;
        }
      } else {
        status = hasError ? 'Rejetée : ligne rattachée à aucune demande' : 'Ignorée';
        color = RED;
      }
      const lines = issues.map(bullet);
      if (d && d.status === 'rejetee' && !hasError && spec.role !== 'main') {
        lines.push(`Demande ${d.key} rejetée : voir la feuille « ${d.main.sheet} », ligne ${d.main.row}.`);
      }
      if (!hasError && issues.length && color === GREEN) color = ORANGE;
      const sc = row.getCell(statusCol);
      sc.value = status;
      sc.fill = FILLS[color];
      const pc = row.getCell(problemsCol);
      pc.value = lines.length ? lines.join('\n') : null;
      pc.alignment = PROBLEMS_ALIGNMENT;
      // Spreadsheets do not grow a row for wrapped text on opening: give it the height of its problems.
      const textLines = lines.reduce((n, l) => n + Math.max(1, Math.ceil(l.length / 90)), 0);
      if (textLines > 1 && (row.height ?? 0) < textLines * 15) row.height = textLines * 15;
      if (!issues.length) continue;
      // Faulty cells: filled, with a note.
      const byCol = new Map<string, Issue[]>();
      for (const i of issues) {
        if (!i.column) continue;
        const list = byCol.get(i.column);
        if (list) list.push(i);
        else byCol.set(i.column, [i]);
      }
      for (const [col, list] of byCol) {
        const cell = ws.getCell(`${col}${raw.row}`);
        const err = list.some((i) => i.severity === 'erreur');
        cell.fill = FILLS[err ? RED : ORANGE];
        cell.note = {
          texts: [{ text: NOTE_PREFIX + list.map((i) => i.message).join('\n') }],
          margins: { insetmode: 'auto' },
        } as ExcelJS.Comment;
      }
    }
  }
  addSummary(wb, result, opts);
}

/** A renumbered demande carries its new number in every row, and PJ names built on it follow. */
function renumberCells(ws: ExcelJS.Worksheet, result: WorkbookResult, sheet: string) {
  const key = result.mapping.joinKey;
  for (const d of result.demandes) {
    if (!d.renumberedFrom) continue;
    for (const r of [d.main, ...Object.values(d.details).flat()]) {
      if (r.sheet !== sheet) continue;
      const row = ws.getRow(r.row);
      if (r.cols[key]) row.getCell(r.cols[key]).value = d.key;
      const col = r.cols.nomFichier;
      const cell = col ? row.getCell(col) : undefined;
      if (cell && typeof cell.value === 'string' && cell.value.includes(`-${d.renumberedFrom}.`)) {
        cell.value = cell.value.replace(`-${d.renumberedFrom}.`, `-${d.key}.`);
      }
    }
  }
}

function addSummary(wb: ExcelJS.Workbook, result: WorkbookResult, opts: AnnotateOptions) {
  const old = wb.getWorksheet(SUMMARY_SHEET);
  if (old) wb.removeWorksheet(old.id);
  const ws = wb.addWorksheet(SUMMARY_SHEET);
  // The results workbook opens on its Synthèse.
  const tab = wb.worksheets.indexOf(ws);
  wb.views = [{ ...(wb.views?.[0] ?? {}), activeTab: tab, firstSheet: 0, visibility: 'visible' } as ExcelJS.WorkbookView];
  // Only the Synthèse is selected: two selected tabs would open Excel in group editing.
  for (const sheet of wb.worksheets) {
    const views = (sheet.views?.length ? sheet.views : [{}]) as unknown as Record<string, unknown>[];
    sheet.views = views.map((v) => ({ ...v, tabSelected: sheet === ws })) as unknown as ExcelJS.WorksheetView[];
  }
  ws.getColumn(1).width = 34;
  ws.getColumn(2).width = 30;
  ws.getColumn(3).width = 18;
  ws.getColumn(4).width = 90;
  const title = (text: string) => {
    const r = ws.addRow([text]);
    r.font = { bold: true, size: 13 };
  };
  const accepted = result.demandes.filter((d) => d.status === 'acceptee');
  const rejected = result.demandes.filter((d) => d.status === 'rejetee');
  const warnings = result.issues.filter((i) => i.severity === 'avertissement').length;
  const errors = result.issues.filter((i) => i.severity === 'erreur').length;
  title(`Résultats xlsx2segur : ${result.mapping.title}`);
  ws.addRow(['Demandes lues', result.demandes.length]);
  ws.addRow([opts.dryRun ? 'Demandes valides' : 'Demandes acceptées (écrites)', accepted.length]);
  ws.addRow(['Demandes rejetées', rejected.length]);
  ws.addRow(['Erreurs', errors]);
  ws.addRow(['Avertissements', warnings]);
  ws.addRow(['Numéro ANS', result.numeroAns ?? '']);
  ws.addRow([]);
  title('Fichiers JSON à déposer sur le portail');
  if (opts.dryRun) ws.addRow(['Validation seule : aucun fichier JSON écrit.']);
  else if (!opts.files.length) ws.addRow(['Aucun fichier JSON écrit.']);
  else {
    const portal = result.mapping.output.portalField;
    const withZip = opts.files.some((f) => f.zip);
    const h = ws.addRow([
      'Fichier',
      'Type de demande à indiquer',
      'Numéro ANS à indiquer',
      'Nombre de lignes',
      ...(portal ? [`${portal} à indiquer`] : []),
      ...(withZip ? ['Taille du JSON (octets)', 'Fichier .zip des pièces', 'Taille du .zip (octets)'] : []),
    ]);
    h.font = { bold: true };
    for (const f of opts.files) {
      const r = ws.addRow([
        f.name,
        f.kind,
        f.numeroAns,
        f.lines,
        ...(portal ? [f.portalValues.join(', ')] : []),
        ...(withZip ? [f.bytes, f.zip?.name ?? '', f.zip?.bytes ?? ''] : []),
      ]);
      r.alignment = { wrapText: true, vertical: 'top' };
    }
  }
  ws.addRow([]);
  title('Demandes rejetées');
  if (!rejected.length) ws.addRow(['Aucune.']);
  else {
    const h = ws.addRow(['Numéro éditeur', 'Feuille et ligne', 'Nombre de problèmes', 'Problèmes']);
    h.font = { bold: true };
    for (const d of rejected) {
      const errs = d.issues.filter((i) => i.severity === 'erreur');
      const r = ws.addRow([
        d.key,
        `${d.main.sheet}, ligne ${d.main.row}`,
        errs.length,
        errs.map((i) => `${i.sheet ?? ''} ${i.column ?? ''}${i.row ?? ''} : ${i.message}`).join('\n'),
      ]);
      r.alignment = { wrapText: true, vertical: 'top' };
    }
  }
  const renumbered = result.demandes.filter((d) => d.renumberedFrom);
  if (renumbered.length) {
    ws.addRow([]);
    title('Avances renumérotées (rejetées par l\'ASP sous leur ancien numéro)');
    const h = ws.addRow(['Ancien numéro éditeur', 'Nouveau numéro éditeur', 'Feuille et ligne']);
    h.font = { bold: true };
    for (const d of renumbered) ws.addRow([d.renumberedFrom, d.key, `${d.main.sheet}, ligne ${d.main.row}`]);
  }
  const loose = result.issues.filter((i) => !i.demande && i.severity === 'erreur');
  if (loose.length) {
    ws.addRow([]);
    title('Lignes rattachées à aucune demande, et en-tête');
    for (const i of loose) ws.addRow([`${i.sheet ?? ''}, ligne ${i.row ?? ''}`, i.code, '', i.message]);
  }
}
