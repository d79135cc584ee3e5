import type ExcelJS from 'exceljs';
import type { SheetSpec } from '../mapping/schema.js';
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

export interface SheetData {
  spec: SheetSpec;
  /** Name of the sheet in the workbook (may differ in case or accents from the spec's). */
  actualName: string;
  headerRow: number;
  /** field → column number (1-based) */
  columns: Map<string, number>;
  /** The fields found, in the order of RawRow.values, and their index there. */
  fields: string[];
  fieldIndex: Map<string, number>;
  duplicated: Map<string, number[]>;
  rows: RawRow[];
  /** Text of each header cell, by column number (our own columns of an earlier run among them). */
  headerTexts: Map<number, string>;
  /** Highest column of any cell of the sheet, when the reading tells it. */
  maxCol?: number;
}

/** A row-oriented view of any table (an exceljs sheet, a CSV file). */
export interface Grid {
  name: string;
  /** Highest column of any cell, once rows() has been read through (when the reader tells it). */
  maxCol?: number;
  rows(): Iterable<{ row: number; values: CellScalar[]; numFmt(col: number): string | undefined }>;
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

/** Finds the header row (within the first 10 rows) and reads every non-empty data row below it. */
export function readSheet(grid: Grid, spec: SheetSpec): SheetData {
  const known = new Map(spec.columns.map((c) => [c.field.toLowerCase(), c.field]));
  const columns = new Map<string, number>();
  const duplicated = new Map<string, number[]>();
  let headerRow = 0;
  const rows: RawRow[] = [];
  let fields: string[] | undefined;
  let cols: number[] | undefined;
  const headerTexts = new Map<number, string>();
  for (const r of grid.rows()) {
    if (!headerRow) {
      if (r.row > 10) break;
      const found = new Map<string, number[]>();
      r.values.forEach((v, c) => {
        if (typeof v !== 'string') return;
        const f = fieldOfHeader(v, known);
        if (f) found.set(f, [...(found.get(f) ?? []), c]);
      });
      if (found.size === 0) continue;
      headerRow = r.row;
      r.values.forEach((v, c) => {
        if (typeof v === 'string') headerTexts.set(c, v);
      });
      for (const [f, cols] of found) {
        columns.set(f, cols[0]);
        if (cols.length > 1) duplicated.set(f, cols);
      }
      grid.focus?.([...columns.values()]);
      continue;
    }
    if (!fields) {
      fields = [...columns.keys()];
      cols = [...columns.values()];
    }
    const values: CellScalar[] = new Array(fields.length);
    let numFmts: (string | undefined)[] | undefined;
    let empty = true;
    for (let k = 0; k < fields.length; k++) {
      const col = cols![k];
      const value = r.values[col] ?? null;
      values[k] = value;
      if (value === null) continue;
      empty = false;
      if (typeof value === 'number') (numFmts ??= [])[k] = r.numFmt(col);
    }
    if (!empty) rows.push(numFmts ? { row: r.row, values, numFmts } : { row: r.row, values });
  }
  fields ??= [...columns.keys()];
  const fieldIndex = new Map(fields.map((f, k) => [f, k]));
  return { spec, actualName: grid.name, headerRow, columns, fields, fieldIndex, duplicated, rows, headerTexts, maxCol: grid.maxCol };
}

/** The cell of a field in a row as read (undefined when the sheet has no such column). */
export function cellOf(data: SheetData, raw: RawRow, field: string): RawCell | undefined {
  const k = data.fieldIndex.get(field);
  if (k === undefined) return undefined;
  return { value: raw.values[k] ?? null, col: data.columns.get(field)!, numFmt: raw.numFmts?.[k] };
}
