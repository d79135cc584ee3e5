import type ExcelJS from 'exceljs';
import { NOTE_PREFIX } from '../annotate/plan.js';
import { NOTICE_SHEET } from './template.js';

/**
 * Fill of a cell pre-filled from another document (light violet): none of the colours the results
 * workbook marks problems with (red, orange) or valid rows (green), nor the headers' blue.
 */
export const PREFILL_ARGB = 'FFE4DFEC';

const PREFILL_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: PREFILL_ARGB } };

/**
 * Marks a pre-filled cell: its fill and a note. The note starts like every note of ours (NOTE_PREFIX), so
 * that convert's results workbook takes it, and the fill with it, for our own mark and never for the
 * vendor's note.
 */
export function markPrefilled(cell: ExcelJS.Cell, text: string): void {
  cell.fill = PREFILL_FILL;
  cell.note = { texts: [{ text: NOTE_PREFIX + text }] } as ExcelJS.Comment;
}

/** Lines of the legend put at the top of the Notice, under its title, the first one in the fill it explains. */
export function addPrefillLegend(wb: ExcelJS.Workbook, lines: string[]): void {
  const ws = wb.getWorksheet(NOTICE_SHEET);
  if (!ws || !lines.length) return;
  ws.insertRows(2, [[''], ...lines.map((l) => [l])]);
  ws.getRow(3).getCell(1).fill = PREFILL_FILL;
  for (let r = 3; r < 3 + lines.length; r++) ws.getRow(r).getCell(1).font = { bold: true };
}
