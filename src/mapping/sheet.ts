import type { SheetSpec } from './schema.js';
import { fieldOfHeader, type Grid, type RawCell, type RawRow } from '../read/sheet.js';
import type { CellScalar } from '../read/cell.js';
import { nextTurn } from '../util/turn.js';

/**
 * A sheet of the mapping found in a workbook: its header row located by the mapping's column labels, its
 * data rows read in the order of its fields.
 */
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

/**
 * Finds the header row (within the first 10 rows) and reads every non-empty data row below it; between
 * two windows of a big sheet, other work may run (see Grid.windowRead).
 */
export async function readSheet(grid: Grid, spec: SheetSpec): Promise<SheetData> {
  const known = new Map(spec.columns.map((c) => [c.field.toLowerCase(), c.field]));
  const columns = new Map<string, number>();
  const duplicated = new Map<string, number[]>();
  let headerRow = 0;
  const rows: RawRow[] = [];
  let fields: string[] | undefined;
  let cols: number[] | undefined;
  const headerTexts = new Map<number, string>();
  for (const r of grid.rows()) {
    if (grid.windowRead) {
      grid.windowRead = false;
      await nextTurn();
    }
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
