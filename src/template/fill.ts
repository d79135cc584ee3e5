import type ExcelJS from 'exceljs';
import type { Mapping } from '../mapping/load.js';
import { fieldOfHeader } from '../read/sheet.js';
import { findWorksheet } from '../rules/validate.js';

export type RowData = Record<string, ExcelJS.CellValue>;

/**
 * Writes rows into a template's sheets, matching columns by field name (as the reader does), from the
 * first row after the header. Used for the samples and to pre-fill workbooks.
 */
export function fillWorkbook(wb: ExcelJS.Workbook, mapping: Mapping, data: Record<string, RowData[]>): void {
  for (const [sheetName, rows] of Object.entries(data)) {
    const { ws, cols } = sheetColumns(wb, mapping, sheetName);
    rows.forEach((r, i) => fillRow(ws.getRow(i + 2), cols, r, `${sheetName}.`));
  }
}

/** Writes one row's values into a row (of a model or of a streaming writer), by the column of each field. */
export function fillRow(row: ExcelJS.Row, cols: Map<string, number>, data: RowData, where: string): void {
  for (const [field, value] of Object.entries(data)) {
    const col = cols.get(field);
    if (!col) throw new Error(`colonne inconnue : ${where}${field}`);
    row.getCell(col).value = value;
  }
}

/** A sheet of a template and the column of each of its fields, found by their headers in row 1. */
export function sheetColumns(wb: ExcelJS.Workbook, mapping: Mapping, sheetName: string): { ws: ExcelJS.Worksheet; cols: Map<string, number> } {
  const spec = mapping.sheet(sheetName);
  const ws = findWorksheet(wb, sheetName);
  if (!spec || !ws) throw new Error(`feuille inconnue : ${sheetName}`);
  const known = new Map(spec.columns.map((c) => [c.field.toLowerCase(), c.field]));
  const cols = new Map<string, number>();
  ws.getRow(1).eachCell((cell, col) => {
    const f = typeof cell.value === 'string' ? fieldOfHeader(cell.value, known) : undefined;
    if (f) cols.set(f, col);
  });
  return { ws, cols };
}
