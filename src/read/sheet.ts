import type ExcelJS from 'exceljs';
import { cellScalar, type CellScalar } from './cell.js';

export interface RawCell {
  value: CellScalar;
  col: number;
  /** Number format of the cell, when it holds a number. */
  numFmt?: string;
  /** The text the cell showed, when its value was read back from it (a CSV cell: see values/csv-cell.ts). */
  shown?: string;
}

/**
 * A data row as read: its values in the order of SheetData.fields (one array, not an object per cell: a
 * big workbook has millions of cells); emptied once validateSheets has parsed them.
 */
export interface RawRow {
  row: number;
  values: CellScalar[];
  /** Number formats of the cells holding a number, by field index. */
  numFmts?: (string | undefined)[];
}

/** A row-oriented view of any table (an exceljs sheet, a CSV file). */
export interface Grid {
  name: string;
  /** Highest column of any cell, once rows() has been read through (when the reader tells it). */
  maxCol?: number;
  rows(): Iterable<{ row: number; values: CellScalar[]; numFmt(col: number): string | undefined }>;
  /**
   * Set by the grid when a window of its XML has just been read through (megabytes): a reader may then let
   * other work run, e.g. a page's request for the progress, before going on. The reader clears it.
   */
  windowRead?: boolean;
  /**
   * From now on only these columns are read: the grid may leave the others out of the rows' values (a
   * package then neither decodes them nor fills merged cells there).
   */
  focus?(cols: number[]): void;
}

export function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** The field name a header cell announces: "Date de commande (dateCommande)" or "dateCommande". */
export function fieldOfHeader(text: string, known: Map<string, string>): string | undefined {
  const m = /\(\s*([A-Za-z][A-Za-z0-9_]*)\s*\)\s*$/.exec(text);
  if (m) {
    const f = known.get(m[1].toLowerCase());
    if (f) return f;
  }
  return known.get(text.trim().toLowerCase());
}

export function gridFromWorksheet(ws: ExcelJS.Worksheet): Grid {
  return {
    name: ws.name,
    // Row by row as they are asked for (eachRow's order: rows with a value), so that nothing is kept.
    *rows() {
      const all = ws.findRows(1, Infinity) ?? [];
      for (const row of all) {
        if (!row || !row.hasValues) continue;
        const raw = row.values as ExcelJS.CellValue[];
        const values: CellScalar[] = [];
        for (let c = 1; c < raw.length; c++) values[c] = cellScalar(raw[c]);
        // Merged cells: exceljs gives the master's value only on the master cell.
        if (ws.hasMerges) {
          for (let c = 1; c < raw.length; c++) {
            const cell = row.getCell(c);
            if (cell.isMerged && cell.master !== cell) values[c] = cellScalar(cell.master.value);
          }
        }
        yield { row: row.number, values, numFmt: (col: number) => row.getCell(col).numFmt };
      }
    },
  };
}
